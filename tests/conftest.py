import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("ML_DESIGN_QUIET", "1")
