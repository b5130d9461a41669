"""The CI providers' APIs (GitLab, Azure DevOps; GitHub's is github.py) behind one interface."""
