"""Running the emulator from tests and scripts."""
