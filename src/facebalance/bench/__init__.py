"""Every benchmark of facebalance, one module each; each writes only its own section of
``docs/performance.md``.

- :mod:`~facebalance.bench.frontal`: the frontal engine on a 24 MP photo (``facebalance bench``).
- :mod:`~facebalance.bench.batch`: batch throughput on the London set (``facebalance bench-batch``).
- :mod:`~facebalance.bench.dynamics`: the dynamic assessment against real time (``facebalance bench-dynamics``).
- :mod:`~facebalance.bench.clinic`: the clinic web app under load (``facebalance bench-clinic``).
- :mod:`~facebalance.bench.common`: what they share (CPU pinning, the load average).
"""
