"""Bildungsmonitor: the Dagster code location of the municipal education monitoring pipeline."""

import os

# Small matrices (the disclosure audit) run faster on one BLAS thread than on a pool that
# spins up for each call on a 2-core machine; set before numpy loads, overridable.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
