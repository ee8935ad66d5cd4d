"""The store: DynamoDB tables, keys and repositories (the only place boto3 talks to DynamoDB)."""
