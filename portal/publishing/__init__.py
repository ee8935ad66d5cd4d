"""Staff publishing: notices, campaigns and newsletter issues written, approved and published in the portal."""
