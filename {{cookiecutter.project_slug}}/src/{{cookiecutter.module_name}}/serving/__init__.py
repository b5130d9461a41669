"""The scoring service, its export for a container, the drift monitor and its alert."""
