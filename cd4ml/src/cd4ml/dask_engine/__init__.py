"""The pipeline stages on a Dask cluster (compute.engine: dask): the same outputs, by partition."""
