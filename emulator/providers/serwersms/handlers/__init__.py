"""The SerwerSMS.pl actions, one module per part of the API; each handler parses its
parameters (emulator/providers/serwersms/wire.py), calls the rules (models, service) and
returns its answer; endpoint.py does the rest."""
