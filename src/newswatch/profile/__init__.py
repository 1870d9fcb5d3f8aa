"""Learning a topic profile from seed articles, and the profile's YAML form.

How a profile is learned (`learn_profile`), one module per step:

1. `clean`: boilerplate out (bylines, datelines, captions, furniture, repeated lines);
   the outlet names they reveal are never terms.
2. `candidates`: entities (capitalised runs, acronyms with their expansions) and keywords
   (lemmas and adjacent pairs); Chinese and Japanese by segmentation.
3. `merge`: one entry per thing across inflections, scripts and languages.
4. `weights`: rarity x consistency, the terms kept, and the story's places.
5. `calibrate`: the threshold, from leave-one-out on the seeds against a background.

`learn` runs them in order and keeps the user's edits; `negatives` weighs the terms and
the threshold against articles marked wrong; `yaml_form` writes and reads the profile
file; `diff` says what re-learning changed.
"""

from newswatch.profile.clean import SeedDoc, clean_seed
from newswatch.profile.diff import ProfileChanges, describe_changes, diff_profiles, render_changes
from newswatch.profile.learn import learn_profile
from newswatch.profile.yaml_form import dump_profile, load_profile

__all__ = [
    "ProfileChanges",
    "SeedDoc",
    "clean_seed",
    "describe_changes",
    "diff_profiles",
    "dump_profile",
    "learn_profile",
    "load_profile",
    "render_changes",
]
