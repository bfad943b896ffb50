"""The gateways' shared model, free of HTTP and of any one gateway: messages and their
statuses, the one schedule, accounts as identity, rules, outcomes, events, numbers, texts, and
state as plain data."""
