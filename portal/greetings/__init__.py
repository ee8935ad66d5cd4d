"""Greetings and reminders (节日问候与提醒) through the message sender, with quiet hours and
the owner's own opt-out.

- :mod:`.calendar`: the lunar festivals (春节, 元宵节, 中秋节) from ``lunar_python``;
- :mod:`.preferences`: what an owner agreed to receive; only the owner changes it;
- :mod:`.events`: community events of an estate and the households signed up for them;
- :mod:`.occasions`: which greetings and reminders fall on a day (pure);
- :mod:`.job`: the daily job (once per owner per occasion) and the task that sends one.
"""
