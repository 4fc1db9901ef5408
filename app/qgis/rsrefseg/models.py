"""The models the MODEL parameter offers, from `rsrefseg model list --json` (the bundled models,
the folders of the RSREFSEG_MODEL_DIRS setting and, with RSREFSEG_TEST_MODELS, the built-in test
model). "default" (the model installed with rsrefseg) comes first and always works; it sends no
--model, so scripts that use it run on any machine.
"""

import json
import subprocess

from . import settings

DEFAULT = "default"
COLOUR_TEST = "builtin:colour-test"


class ModelChoices:
    def __init__(self, values, descriptions, problem=None):
        self.values = values              # what MODEL takes (static strings): "default", folders, builtin:...
        self.descriptions = descriptions  # value -> "name (architecture, untrained)"
        self.problem = problem            # why the list is short (rsrefseg missing, a bad folder)

    @staticmethod
    def load(timeout=60):
        values = [DEFAULT]
        descriptions = {DEFAULT: settings.tr("the model installed with rsrefseg")}
        args = [settings.program(), "model", "list", "--json"] + settings.model_dirs()
        test_models = settings.truthy(settings.value(settings.TEST_MODELS))
        if test_models:
            args.append("--builtin")
        problem = None
        try:
            done = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
            if done.returncode != 0:
                problem = done.stderr.decode("utf-8", "replace").strip() or "exit status {0}".format(done.returncode)
            else:
                for model in json.loads(done.stdout.decode("utf-8")):
                    path = model["path"]
                    if path not in values:
                        values.append(path)
                    state = "" if model.get("trained") else ", " + settings.tr("untrained")
                    descriptions[path] = "{0} ({1}{2})".format(model.get("name", path), model.get("architecture", "?"),
                                                               state)
        except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
            problem = str(e)
        if test_models and COLOUR_TEST not in values:
            values.append(COLOUR_TEST)
            descriptions[COLOUR_TEST] = COLOUR_TEST
        return ModelChoices(values, descriptions, problem)

    @staticmethod
    def model_args(value):
        """The --model option for a MODEL value ("default": none)."""
        return [] if not value or value == DEFAULT else ["--model", value]

    def help_text(self):
        lines = ["{0}: {1}".format(v, self.descriptions.get(v, v)) for v in self.values]
        if self.problem:
            lines.append(settings.tr("(rsrefseg model list failed: {0})").format(self.problem))
        return "\n".join(lines)


class ModelChoicesMixin:
    """What both algorithms share: the model list, loaded once on first use and handed to the
    instances Processing creates, and no group. Put before QgsProcessingAlgorithm in the bases."""

    def __init__(self, models=None):
        super().__init__()
        self._models = models

    def models(self):
        if self._models is None:
            self._models = ModelChoices.load()
        return self._models

    def group(self):
        return ""

    def groupId(self):
        return ""
