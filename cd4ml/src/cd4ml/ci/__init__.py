"""What continuous integration runs: pull the data, the pull-request report and its comment."""
