"""The kernelspec installer, how the binary is found, and the process's
line-and-answer pairing."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

import support
from entropylab_jupyter import binary


class InstallTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="entropylab-install-")

    def tearDown(self):
        shutil.rmtree(self.folder)

    def test_install_prefix_writes_a_kernelspec_that_runs_this_python(self):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(support.HERE))
        result = subprocess.run(
            [sys.executable, "-m", "entropylab_jupyter", "install", "--prefix", self.folder,
             "--binary", support.binary()],
            capture_output=True, text=True, env=env, timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        spec_path = os.path.join(self.folder, "share", "jupyter", "kernels", "entropylab", "kernel.json")
        with open(spec_path) as f:
            spec = json.load(f)
        self.assertEqual(spec["argv"][:3], [sys.executable, "-m", "entropylab_jupyter.kernel"])
        self.assertIn("--EntropyLabKernel.binary=" + support.binary(), spec["argv"])
        self.assertEqual(spec["language"], "entropylab")
        self.assertEqual(spec["interrupt_mode"], "signal")

    def test_install_user_goes_to_the_users_jupyter_data_folder(self):
        data = os.path.join(self.folder, "data")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(support.HERE), JUPYTER_DATA_DIR=data)
        result = subprocess.run(
            [sys.executable, "-m", "entropylab_jupyter", "install", "--user"],
            capture_output=True, text=True, env=env, timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.isfile(os.path.join(data, "kernels", "entropylab", "kernel.json")))
        self.assertIn("installed the EntropyLab kernelspec", result.stdout)

    def test_install_refuses_a_binary_that_is_not_there(self):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(support.HERE))
        result = subprocess.run(
            [sys.executable, "-m", "entropylab_jupyter", "install", "--prefix", self.folder,
             "--binary", os.path.join(self.folder, "nowhere")],
            capture_output=True, text=True, env=env, timeout=120,
        )
        self.assertEqual(result.returncode, 2)
        self.assertIn("not an executable file", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.folder, "share")))

    def test_binary_lookup_order(self):
        real = support.binary()
        fake_dir = os.path.join(self.folder, "bin")
        os.mkdir(fake_dir)
        on_path = os.path.join(fake_dir, "entropy-lab")
        os.symlink(real, on_path)
        with mock.patch.dict(os.environ, {"ENTROPYLAB_BIN": real, "PATH": fake_dir}):
            self.assertEqual(binary.find_binary(on_path), real, "$ENTROPYLAB_BIN first")
        with mock.patch.dict(os.environ, {"PATH": fake_dir}):
            os.environ.pop("ENTROPYLAB_BIN", None)
            self.assertEqual(binary.find_binary(real), on_path, "then PATH")
        with mock.patch.dict(os.environ, {"PATH": self.folder, "ENTROPYLAB_BIN": "/nonexistent/entropy-lab"}):
            self.assertEqual(binary.find_binary(real), real, "then the option")
            with self.assertRaises(binary.BinaryNotFound) as raised:
                binary.find_binary()
            self.assertIn("ENTROPYLAB_BIN", str(raised.exception))
            self.assertIn("no entropy-lab on PATH", str(raised.exception))


if __name__ == "__main__":
    unittest.main()


class ProcessTests(unittest.TestCase):
    def test_answers_stay_paired_with_lines_after_an_unread_frame(self):
        from entropylab_jupyter.process import LabProcess

        lab = LabProcess()
        try:
            # As if a KeyboardInterrupt had come between a write and its read.
            lab.proc.stdin.write(b"policy arms 2\n")
            lab.proc.stdin.flush()
            lab._unread = 1
            frame = lab.run("get lr")
            self.assertEqual(frame["command"], "get lr")
            self.assertEqual(frame["cell"], 2)
        finally:
            lab.close()
        self.assertFalse(lab.alive)
