"""What runs in CI: the providers' APIs that post the report (GitLab, Azure DevOps)."""
