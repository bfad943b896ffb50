import pytest


@pytest.fixture(scope="session")
def sms_emulator_settings():
    return {"clock": "manual"}
