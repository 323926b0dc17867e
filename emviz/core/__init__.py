"""emviz's numeric core: Gaussian mixtures and EM in pure numpy (no Qt here, ever)."""

from .criteria import aic, bic, n_parameters
from .datasets import BUILTIN as BUILTIN_DATASETS
from .datasets import Dataset, generate, load_builtin, old_faithful
from .density import log_gaussian, weighted_log_prob
from .em import (
    EMState,
    continue_em,
    e_step,
    expected_complete_log_likelihood,
    kl_divergence,
    log_likelihood,
    lower_bound,
    m_step,
    run_em,
)
from .hand import (
    HeldEvaluation,
    axis_handles,
    evaluate_held,
    hand_state,
    held_q,
    principal_axes,
    with_axis,
    with_mean,
    with_weight,
)
from .init import INIT_METHODS, fit_labelled, initialize, one_hot, spread_covariance
from .kmeans import KMeansState, kmeans, kmeans_plus_plus, run_kmeans
from .mixture import COVARIANCE_TYPES, Mixture, check_points
from .quantities import (
    Breakdown,
    Decomposition,
    bound_slice,
    complete_log_likelihood,
    decomposition,
    interpolate,
    kmeans_mixture,
    nearest_index,
    responsibility_breakdown,
    valid_range,
)
from .sampling import component_counts, sample

__all__ = [
    "BUILTIN_DATASETS",
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "Breakdown",
    "Dataset",
    "HeldEvaluation",
    "axis_handles",
    "evaluate_held",
    "hand_state",
    "held_q",
    "principal_axes",
    "with_axis",
    "with_mean",
    "with_weight",
    "Decomposition",
    "EMState",
    "KMeansState",
    "Mixture",
    "aic",
    "bic",
    "bound_slice",
    "check_points",
    "complete_log_likelihood",
    "component_counts",
    "continue_em",
    "decomposition",
    "e_step",
    "expected_complete_log_likelihood",
    "fit_labelled",
    "generate",
    "initialize",
    "interpolate",
    "kl_divergence",
    "kmeans",
    "kmeans_mixture",
    "kmeans_plus_plus",
    "load_builtin",
    "log_gaussian",
    "log_likelihood",
    "lower_bound",
    "m_step",
    "n_parameters",
    "nearest_index",
    "old_faithful",
    "one_hot",
    "responsibility_breakdown",
    "run_em",
    "run_kmeans",
    "sample",
    "spread_covariance",
    "valid_range",
    "weighted_log_prob",
]
