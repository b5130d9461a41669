"""adopt: point the project at a user's own data file, with one command."""
