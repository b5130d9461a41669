"""The scoring service, the champion's export for a container, and drift monitoring of its logs."""
