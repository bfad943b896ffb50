"""The gateways' shared model, free of HTTP: messages and their lifecycle, accounts, rules,
outcomes, events, numbers and texts."""
