"""The exercise library the workout planner draws from: bodyweight moves, plus a bike or a
pool for the cycling and swimming sessions (and only for them: see :func:`needs_equipment`).

Every exercise says which workout types it belongs to, in which phases of a session it fits,
which body parts it loads (an injured part excludes it), its default dose (sets of reps or of
seconds), how hard it is (1 easy … 3 hard; low recovery excludes 3) and what can replace it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from ..agent.structured import BODY_PARTS, WORKOUT_TYPES

WARM_UP: Final = "warm_up"
MAIN: Final = "main"
COOL_DOWN: Final = "cool_down"
PHASES: Final = (WARM_UP, MAIN, COOL_DOWN)

# Every workout type the understanding extracts has exercises of its own.
SUPPORTED_TYPES: Final = WORKOUT_TYPES
# Types whose exercises need a bike or a pool: they serve only sessions of their own type.
EQUIPMENT_TYPES: Final = frozenset({"cycling", "swimming"})
# Sessions whose main block may hold stretches.
CALM_TYPES: Final = frozenset({"yoga", "mobility", "stretching"})
HARD: Final = 3


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the library."""

    key: str
    name: str
    types: tuple[str, ...]  # the first is its main type
    phases: frozenset[str]
    loads: frozenset[str]
    sets: int = 1
    reps: int | None = None
    seconds: int | None = None
    intensity: int = 1
    substitutes: tuple[str, ...] = ()

    def spares(self, injuries: frozenset[str]) -> bool:
        """Whether the exercise loads none of the ``injuries``."""
        return not self.loads & injuries


def _ex(
    key: str,
    name: str,
    types: str,
    phases: str,
    loads: str = "",
    *,
    sets: int = 1,
    reps: int | None = None,
    seconds: int | None = None,
    intensity: int = 1,
    subs: str = "",
) -> Exercise:
    return Exercise(key, name, tuple(types.split()), frozenset(phases.split()),
                    frozenset(loads.split()), sets, reps, seconds, intensity,
                    tuple(subs.split()))  # fmt: skip


_W, _M, _C = WARM_UP, MAIN, COOL_DOWN
_WC = f"{WARM_UP} {COOL_DOWN}"
_MC = f"{MAIN} {COOL_DOWN}"
_WM = f"{WARM_UP} {MAIN}"

LIBRARY: Final[tuple[Exercise, ...]] = (
    # Warm-up.
    _ex("breathing", "Deep breathing", "yoga mobility stretching walking", _WC, seconds=60),
    _ex("march", "Marching in place", "walking running calisthenics strength hiit", _W, "ankle",
        seconds=60),
    _ex("arm_circles", "Arm circles", "calisthenics strength hiit mobility", _W, "shoulder",
        seconds=45),
    _ex("neck_circles", "Neck half circles", "yoga mobility stretching", _W, "neck", seconds=30),
    _ex("cat_cow", "Cat-cow", "yoga mobility stretching", _WM, "wrist", sets=2, reps=8),
    _ex("hip_circles", "Hip circles", "running walking calisthenics strength hiit mobility", _W,
        "hip", seconds=45),
    _ex("leg_swings", "Leg swings", "running hiit mobility", _W, "hip", reps=10),
    _ex("ankle_circles", "Ankle circles", "running walking mobility yoga", _W, "ankle",
        seconds=30),
    _ex("torso_twists", "Standing torso twists",
        "calisthenics strength hiit running walking mobility", _W, "back", seconds=45),
    _ex("shoulder_rolls", "Shoulder rolls", "yoga stretching mobility calisthenics", _W,
        "shoulder", seconds=30),
    _ex("half_sun_salutation", "Half sun salutation", "yoga", _W, "back shoulder", reps=5),
    _ex("jumping_jacks", "Jumping jacks", "hiit calisthenics running", _WM,
        "ankle knee shoulder", sets=3, seconds=45, intensity=2, subs="knee_drives"),
    _ex("wrist_circles", "Wrist circles", "calisthenics yoga strength", _W, "wrist", seconds=30),
    _ex("easy_walk", "Easy walk", "walking running", _WC, "ankle", seconds=180),
    _ex("easy_spin", "Easy spin, on the bike", "cycling", _WC, "knee", seconds=300),
    _ex("easy_lengths", "Easy lengths", "swimming", _WC, "shoulder", seconds=300),
    # Main: calisthenics and strength.
    _ex("push_up", "Push-up", "calisthenics strength hiit", _M, "shoulder wrist elbow", sets=3,
        reps=10, intensity=2, subs="wall_push_up glute_bridge dead_bug"),
    _ex("wall_push_up", "Wall push-up", "calisthenics strength", _M, "shoulder wrist elbow",
        sets=3, reps=12, subs="glute_bridge dead_bug"),
    _ex("pike_push_up", "Pike push-up", "calisthenics strength", _M,
        "shoulder wrist elbow neck", sets=3, reps=8, intensity=3,
        subs="wall_push_up squat glute_bridge"),
    _ex("handstand_hold", "Wall handstand hold", "calisthenics", _M,
        "shoulder wrist elbow neck", sets=3, seconds=20, intensity=3,
        subs="superman hollow_hold dead_bug"),
    _ex("chair_dips", "Chair dips", "calisthenics strength", _M, "shoulder elbow wrist", sets=3,
        reps=10, intensity=2, subs="glute_bridge dead_bug"),
    _ex("plank", "Forearm plank", "calisthenics strength yoga hiit", _M, "shoulder elbow",
        sets=3, seconds=30, intensity=2, subs="dead_bug glute_bridge"),
    _ex("side_plank", "Side plank", "calisthenics strength", _M, "shoulder elbow hip", sets=2,
        seconds=20, intensity=2, subs="dead_bug"),
    _ex("superman", "Superman hold", "calisthenics strength mobility", _M, "back neck", sets=3,
        seconds=20, subs="dead_bug"),
    _ex("dead_bug", "Dead bug", "calisthenics strength mobility", _M, sets=3, reps=10),
    _ex("glute_bridge", "Glute bridge", "calisthenics strength yoga mobility", _M, "hip",
        sets=3, reps=12, subs="dead_bug"),
    _ex("squat", "Bodyweight squat", "calisthenics strength hiit", _M, "knee hip ankle", sets=3,
        reps=12, intensity=2, subs="glute_bridge dead_bug"),
    _ex("reverse_lunge", "Reverse lunge", "calisthenics strength", _M, "knee hip ankle", sets=3,
        reps=10, intensity=2, subs="glute_bridge dead_bug"),
    _ex("wall_sit", "Wall sit", "calisthenics strength", _M, "knee", sets=3, seconds=30,
        intensity=2, subs="glute_bridge"),
    _ex("calf_raise", "Calf raise", "calisthenics strength running", _M, "ankle", sets=3,
        reps=15, subs="glute_bridge"),
    _ex("bird_dog", "Bird dog", "calisthenics strength mobility yoga", _M, "wrist knee",
        sets=3, reps=10, subs="dead_bug"),
    _ex("hollow_hold", "Hollow body hold", "calisthenics strength", _M, "back neck", sets=3,
        seconds=20, intensity=2, subs="dead_bug"),
    _ex("leg_raise", "Lying leg raise", "calisthenics strength", _M, "back hip", sets=3,
        reps=10, intensity=2, subs="dead_bug"),
    # Main: HIIT.
    _ex("burpee", "Burpee", "hiit calisthenics", _M,
        "shoulder wrist elbow knee ankle back", sets=3, reps=8, intensity=3,
        subs="knee_drives shadow_boxing squat"),
    _ex("mountain_climber", "Mountain climbers", "hiit calisthenics", _M, "shoulder wrist hip",
        sets=3, seconds=30, intensity=3, subs="knee_drives shadow_boxing"),
    _ex("squat_jump", "Squat jump", "hiit", _M, "knee ankle hip", sets=3, reps=10, intensity=3,
        subs="squat glute_bridge shadow_boxing"),
    _ex("high_knees", "High knees", "hiit running", _M, "knee ankle hip", sets=3, seconds=30,
        intensity=3, subs="knee_drives shadow_boxing"),
    _ex("shadow_boxing", "Shadow boxing", "hiit calisthenics", _M, "shoulder elbow", sets=3,
        seconds=45, intensity=2, subs="knee_drives"),
    _ex("knee_drives", "Standing knee drives", "hiit running walking", _M, "hip", sets=3,
        seconds=30, intensity=2, subs="shadow_boxing"),
    # Main: running and walking.
    _ex("easy_run", "Easy run", "running", _M, "knee ankle hip", seconds=1200, intensity=2,
        subs="brisk_walk"),
    _ex("run_intervals", "Run intervals, 1 minute fast and 1 minute easy", "running hiit", _M,
        "knee ankle hip", sets=6, seconds=120, intensity=3, subs="easy_run brisk_walk"),
    _ex("jog_in_place", "Jogging in place", "running hiit", _M, "knee ankle", sets=3,
        seconds=60, intensity=2, subs="knee_drives"),
    _ex("brisk_walk", "Brisk walk", "walking running", _M, "ankle", seconds=1200),
    _ex("power_walk", "Power walk intervals, 2 minutes fast and 1 minute easy", "walking", _M,
        "ankle knee hip", sets=4, seconds=180, intensity=2, subs="brisk_walk"),
    # Main: cycling and swimming.
    _ex("steady_ride", "Steady ride", "cycling", _M, "knee hip", seconds=1200, intensity=2,
        subs="seated_spin"),
    _ex("bike_intervals", "Bike intervals, 1 minute hard and 2 minutes easy", "cycling", _M,
        "knee hip", sets=5, seconds=180, intensity=3, subs="steady_ride seated_spin"),
    _ex("seated_spin", "Easy seated spin, high cadence", "cycling", _M, "knee", sets=3,
        seconds=180),
    _ex("steady_swim", "Steady swim", "swimming", _M, "shoulder neck", seconds=1200,
        intensity=2, subs="kick_drill"),
    _ex("swim_intervals", "Swim intervals, 1 length fast and 1 length easy", "swimming", _M,
        "shoulder neck", sets=6, seconds=90, intensity=3, subs="steady_swim kick_drill"),
    _ex("kick_drill", "Kick drill, with a float", "swimming", _M, "knee ankle", sets=4,
        seconds=60, subs="pool_walk"),
    _ex("pool_walk", "Pool walking", "swimming", _M, sets=3, seconds=120),
    # Main: yoga and mobility.
    _ex("downward_dog", "Downward dog", "yoga mobility stretching", _M, "shoulder wrist",
        sets=3, seconds=30, subs="warrior_2 tree_pose"),
    _ex("warrior_2", "Warrior II", "yoga strength", _M, "knee hip", sets=2, seconds=30,
        subs="tree_pose"),
    _ex("tree_pose", "Tree pose", "yoga mobility", _M, "ankle", sets=2, seconds=30,
        subs="warrior_2"),
    _ex("chair_pose", "Chair pose", "yoga strength", _M, "knee", sets=2, seconds=30,
        intensity=2, subs="tree_pose"),
    _ex("cobra", "Cobra", "yoga mobility stretching", _M, "back wrist", sets=2, seconds=20,
        subs="pelvic_tilts"),
    _ex("triangle", "Triangle pose", "yoga stretching", _M, "hip back", sets=2, seconds=30,
        subs="tree_pose"),
    _ex("boat_pose", "Boat pose", "yoga", _M, "back hip", sets=3, seconds=20, intensity=2,
        subs="dead_bug"),
    _ex("pelvic_tilts", "Pelvic tilts", "yoga mobility stretching", _M, sets=2, reps=10),
    _ex("worlds_greatest", "World's greatest stretch", "mobility running", _M,
        "hip knee wrist", sets=2, reps=5, subs="hip_90_90 pelvic_tilts"),
    _ex("hip_90_90", "Hip 90/90 switches", "mobility", _M, "hip knee", sets=2, reps=8,
        subs="pelvic_tilts"),
    _ex("open_book", "Open book rotations", "mobility yoga stretching", _M, "back", sets=2,
        reps=8, subs="pelvic_tilts"),
    _ex("wall_angels", "Wall angels", "mobility", _M, "shoulder neck", sets=2, reps=10,
        subs="open_book"),
    _ex("deep_squat_hold", "Deep squat hold", "mobility", _M, "knee hip ankle", sets=2,
        seconds=30, subs="pelvic_tilts"),
    # Cool-down and stretching.
    _ex("child_pose", "Child's pose", "yoga stretching mobility", _MC, "knee", seconds=60),
    _ex("supine_twist", "Supine twist", "yoga stretching mobility", _MC, "back", seconds=60),
    _ex("savasana", "Savasana", "yoga stretching", _C, seconds=120),
    _ex("legs_up_wall", "Legs up the wall", "yoga stretching walking running", _C,
        seconds=120),
    _ex("hamstring_stretch", "Lying hamstring stretch",
        "stretching running walking calisthenics strength hiit", _MC, seconds=45),
    _ex("quad_stretch", "Standing quad stretch",
        "stretching running walking calisthenics strength hiit", _MC, "knee ankle", seconds=45),
    _ex("figure_four", "Figure-four stretch", "yoga stretching running", _MC, "hip knee",
        seconds=45),
    _ex("cross_body_stretch", "Cross-body shoulder stretch",
        "stretching calisthenics strength hiit", _MC, "shoulder", seconds=30),
    _ex("chest_opener", "Chest opener", "stretching calisthenics strength", _MC, "shoulder",
        seconds=30),
    _ex("calf_stretch", "Calf stretch", "stretching running walking", _MC, "ankle", seconds=45),
    _ex("neck_stretch", "Neck side stretch", "stretching yoga mobility", _MC, "neck",
        seconds=30),
    _ex("wrist_stretch", "Wrist flexor stretch", "stretching calisthenics yoga", _MC,
        "wrist elbow", seconds=30),
    _ex("butterfly", "Butterfly stretch", "stretching yoga mobility", _MC, "hip knee",
        seconds=45),
)  # fmt: skip

EXERCISES: Final[dict[str, Exercise]] = {exercise.key: exercise for exercise in LIBRARY}


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower()).removesuffix("s")


_BY_NAME: Final[dict[str, Exercise]] = {
    _normalise(alias): exercise for exercise in LIBRARY for alias in (exercise.key, exercise.name)
}


def find_exercise(name: str) -> Exercise | None:
    """The library exercise ``name`` refers to ("pushups", "Push-up", "push_up"), if any."""
    return _BY_NAME.get(_normalise(name))


def needs_equipment(exercise: Exercise, types: Iterable[str]) -> bool:
    """Whether ``exercise`` needs a bike or a pool that a session of ``types`` has not got."""
    own = set(exercise.types)
    return own <= EQUIPMENT_TYPES and not own & set(types)


def check_library() -> None:
    """Raise ``ValueError`` if the library is inconsistent (used by the tests)."""
    for exercise in LIBRARY:
        if (exercise.reps is None) == (exercise.seconds is None):
            raise ValueError(f"{exercise.key}: give either reps or seconds")
        if not exercise.phases or not exercise.phases <= set(PHASES):
            raise ValueError(f"{exercise.key}: bad phases {sorted(exercise.phases)}")
        if not exercise.types or not set(exercise.types) <= set(SUPPORTED_TYPES):
            raise ValueError(f"{exercise.key}: bad types {sorted(exercise.types)}")
        if not exercise.loads <= set(BODY_PARTS):
            raise ValueError(f"{exercise.key}: bad body parts {sorted(exercise.loads)}")
        for key in exercise.substitutes:
            if key not in EXERCISES or key == exercise.key:
                raise ValueError(f"{exercise.key}: bad substitute {key}")
    if len(EXERCISES) != len(LIBRARY):
        raise ValueError("duplicate exercise keys")
    for kind in SUPPORTED_TYPES:
        if not any(kind in exercise.types and MAIN in exercise.phases for exercise in LIBRARY):
            raise ValueError(f"no main exercise of type {kind}")
