"""coordgraph: find accounts that repeatedly share the same things within seconds.

Data flows one way: ``loader`` -> ``analysis`` -> ``cypher`` (graph store) -> ``webapp``.
The detection method is CooRTweet 2.1.3's, reproduced exactly (see docs/method.md).
"""

__version__ = "0.1.0"
