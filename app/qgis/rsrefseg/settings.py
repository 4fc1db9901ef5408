"""The provider's Processing settings (Settings > Options > Processing > Providers > RSRefSeg)
and where the rsrefseg program is found.

Stored by QGIS under Processing/Configuration/<NAME> in the user's profile, so they also apply
to qgis_process and PyQGIS scripts that use that profile.
"""

import os
import shutil

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

PROGRAM = "RSREFSEG_PATH"
DEVICE = "RSREFSEG_DEVICE"
DTYPE = "RSREFSEG_DTYPE"
THREADS = "RSREFSEG_THREADS"
CACHE_DIR = "RSREFSEG_CACHE_DIR"
MODEL_DIRS = "RSREFSEG_MODEL_DIRS"
TEST_MODELS = "RSREFSEG_TEST_MODELS"

DTYPES = ["f32", "bf16", "f16"]


def tr(text):
    return QCoreApplication.translate("RSRefSeg", text)


def _config():
    # Imported late: the processing plugin is loaded after the Python plugins are found.
    from processing.core.ProcessingConfig import ProcessingConfig, Setting

    return ProcessingConfig, Setting


def default_cache_dir():
    """A folder inside the active QGIS profile, so that repeated prompts on one raster reuse
    its image features (rsrefseg --cache-dir) and removing the profile removes the cache."""
    return os.path.join(QgsApplication.qgisSettingsDirPath(), "rsrefseg", "cache")


def register(group):
    ProcessingConfig, Setting = _config()
    settings = [
        Setting(group, PROGRAM, tr("rsrefseg program (empty: found next to this plugin, then on PATH)"), "",
                valuetype=Setting.FILE),
        Setting(group, DEVICE, tr("Device (cpu, cuda or cuda:N)"), "cpu"),
        Setting(group, DTYPE, tr("Data type of the model (f32, bf16; f16 on GPUs)"), "f32",
                valuetype=Setting.SELECTION, options=DTYPES),
        Setting(group, THREADS, tr("CPU threads (0: all)"), 0, valuetype=Setting.INT),
        Setting(group, CACHE_DIR, tr("Image feature cache folder (empty: no disk cache)"), default_cache_dir(),
                valuetype=Setting.FOLDER),
        Setting(group, MODEL_DIRS, tr("More model bundle folders (separated by ;)"), "",
                valuetype=Setting.MULTIPLE_FOLDERS),
        Setting(group, TEST_MODELS, tr("Offer the built-in test model (builtin:colour-test; advanced)"), False),
    ]
    for setting in settings:
        ProcessingConfig.addSetting(setting)
    ProcessingConfig.readSettings()


def unregister():
    ProcessingConfig, _ = _config()
    for name in (PROGRAM, DEVICE, DTYPE, THREADS, CACHE_DIR, MODEL_DIRS, TEST_MODELS):
        ProcessingConfig.removeSetting(name)


def value(name):
    ProcessingConfig, _ = _config()
    return ProcessingConfig.getSetting(name, readable=True)


def set_value(name, new_value):
    """For scripts and tests: sets and saves a setting (a SELECTION takes its text)."""
    ProcessingConfig, Setting = _config()
    setting = ProcessingConfig.settings[name]
    if setting.valuetype == Setting.SELECTION:
        new_value = setting.options.index(new_value)
    ProcessingConfig.setSettingValue(name, new_value)


def truthy(v):
    return str(v).strip().lower() in ("1", "true", "yes", "on")


def program():
    """The rsrefseg executable: the setting, else <prefix>/bin/rsrefseg for a plugin installed
    under <prefix>/share/qgis/python/plugins (the .deb, `cmake --install`, the build tree), else
    rsrefseg on PATH. Returns the path that was tried last when none exists (the caller's error
    names it)."""
    chosen = (value(PROGRAM) or "").strip()
    if chosen:
        return chosen
    here = os.path.dirname(os.path.abspath(__file__))
    # here = <prefix>/share/qgis/python/plugins/rsrefseg: five levels up is <prefix>.
    beside = os.path.normpath(os.path.join(here, "..", "..", "..", "..", "..", "bin", "rsrefseg"))
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("rsrefseg") or "/usr/bin/rsrefseg"


def model_dirs():
    text = value(MODEL_DIRS) or ""
    return [d.strip() for d in str(text).split(";") if d.strip()]


def compute_args():
    """--device, --dtype, --threads from the settings."""
    args = ["--device", str(value(DEVICE) or "cpu").strip() or "cpu", "--dtype", str(value(DTYPE) or "f32")]
    threads = value(THREADS)
    try:
        threads = int(threads)
    except (TypeError, ValueError):
        threads = 0
    return args + ["--threads", str(max(0, threads))]


def cache_args():
    folder = str(value(CACHE_DIR) or "").strip()
    return ["--cache-dir", folder] if folder else []
