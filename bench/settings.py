"""The production settings with the benchmark's URLs: the site plus the write floor."""

from ishenim.settings import *  # noqa: F403 - the same settings, one URLconf more

ROOT_URLCONF = "bench.urls"
