"""coordgraph: find accounts that repeatedly share the same things within seconds.

Data flows one way: ``loader`` -> ``analysis`` -> ``cypher`` (graph store) -> ``webapp``.
The detection method is CooRTweet 2.1.3's, reproduced exactly (see docs/method.md).
"""

import os as _os

# No part of coordgraph uses BLAS, yet OpenBLAS (loaded with numpy) starts a thread a core
# that spins for ~0.1 s of CPU after the import: a tenth of a 1-second run on two cores. So
# unless the user set it, OpenBLAS gets one thread (only if numpy is not imported yet).
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
