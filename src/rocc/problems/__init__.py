"""The problems capability: PANDA problem-solving cases."""
