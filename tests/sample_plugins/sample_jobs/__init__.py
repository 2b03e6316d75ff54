"""A throwaway plugin for the job tests: jobs that count, fail, wait and peek."""

from core.manifest import Manifest

MANIFEST = Manifest(
    name="sample_jobs",
    version="1.0.0",
    label="Sample Jobs",
    summary="Jobs with every behaviour the job runner must handle",
    depends=["sample_alpha"],
)
