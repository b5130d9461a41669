"""Commands that keep a project current: moving it to another cd4ml version."""
