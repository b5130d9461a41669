"""The data gate's library: the contract (contract.yaml) and the reference profile."""
