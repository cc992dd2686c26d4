package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deployDir is the folder of the Slurm and Kubernetes scripts.
const deployDir = "../../deploy"

// scaleOutCases writes three small case files, seven jobs (one on a CSV
// file, one with a convex reference), to a new folder.
func scaleOutCases(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cases")
	require.NoError(t, os.Mkdir(dir, 0o755))
	gaussian, err := filepath.Abs(gaussianCSV)
	require.NoError(t, err)
	files := map[string]string{
		"a.json": `{"data": {"generator": "gaussian", "seed": 5, "k": 3, "d": 4, "per_class": 8, "sigma": 0.1},
			"references": ["max", "sum", "fro"],
			"claims": [{"claim": "signgd", "steps": 2000}, {"claim": "ngd", "steps": 2000}, {"claim": "signum", "steps": 2000}]}`,
		"b.json": `{"data": {"generator": "random-labels", "seed": 2, "n": 12, "d": 6, "k": 3},
			"claims": [{"claim": "nsd-op1", "steps": 1500}, {"claim": "adam", "steps": 1500}]}`,
		"c.json": fmt.Sprintf(`{"data": {"csv": %q}, "claims": [{"claim": "signgd", "steps": 1000}, {"claim": "nsd-sum", "steps": 1000}]}`, gaussian),
	}
	for name, body := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	return dir
}

// maxmarginWrapper writes a shell script that runs this test binary as the
// maxmargin command (see TestMain), for the deploy scripts' MAXMARGIN.
func maxmarginWrapper(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "maxmargin")
	script := fmt.Sprintf("#!/bin/sh\nIFS=$(printf '\\037')\n%s=\"$*\" exec %q\n", argsEnv, exe)
	require.NoError(t, os.WriteFile(path, []byte(script), 0o755))
	return path
}

// script runs bash with args and env from the repository root, where the
// schedulers run the deploy scripts (paths deploy/...), and returns its exit
// status and stderr.
func script(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("bash", args...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	}
	require.NoError(t, err, stderr.String())
	return 0, stderr.String()
}

// reportGenerated matches the report's generation time.
var reportGenerated = regexp.MustCompile(`Generated [0-9TZ:-]+\.`)

// requireSameReport compares two report folders file by file, byte for
// byte, the generation time masked, and the merged summary.json with the
// serial run's JSON.
func requireSameReport(t *testing.T, serialDir string, serialJSON []byte, mergedDir string) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(mergedDir, "summary.json"))
	require.NoError(t, err)
	require.True(t, bytes.Equal(serialJSON, got), "merged JSON differs from the serial run's")
	entries, err := os.ReadDir(serialDir)
	require.NoError(t, err)
	require.Greater(t, len(entries), 7*4, "report.md and four plots per job")
	for _, e := range entries {
		want, err := os.ReadFile(filepath.Join(serialDir, e.Name()))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(mergedDir, e.Name()))
		require.NoError(t, err, e.Name())
		want = reportGenerated.ReplaceAll(want, []byte("Generated."))
		got = reportGenerated.ReplaceAll(got, []byte("Generated."))
		require.True(t, bytes.Equal(want, got), "%s differs", e.Name())
	}
	merged, err := os.ReadDir(mergedDir)
	require.NoError(t, err)
	assert.Len(t, merged, len(entries)+1, "the merged report has the serial files and summary.json")
}

// TestScaleOut runs the deploy scripts locally as N shard processes at
// once, exactly as the schedulers would: the Slurm array task script for
// SLURM_ARRAY_TASK_ID = 0..2 and its merge job, then the Kubernetes Indexed
// Job's command for JOB_COMPLETION_INDEX = 0..7 (8 shards for 7 jobs: one
// is empty) and the merge Job's. Each merged report and JSON must equal the
// serial run's byte for byte, the generation time aside; a rerun of a shard
// takes its references from the shared cache; a missing shard fails the
// merge, naming it.
func TestScaleOut(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	cases := scaleOutCases(t)
	serialDir := filepath.Join(t.TempDir(), "serial")
	serial := child(t, nil, "verify", "--cases", cases, "--json", "--no-cache", "--report", serialDir, "--workers", "1")
	serialJSON, err := serial.Output()
	serialStatus := 0
	if ee, ok := err.(*exec.ExitError); ok {
		serialStatus, err = ee.ExitCode(), nil // 2000 steps fail rate checks
	}
	require.NoError(t, err)
	require.True(t, json.Valid(serialJSON))
	bin := maxmarginWrapper(t)

	// runShards runs command once per index, all at once, with env and
	// INDEX_VAR=index.
	runShards := func(t *testing.T, n int, indexVar string, env []string, args ...string) {
		var wg sync.WaitGroup
		status := make([]int, n)
		stderr := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status[i], stderr[i] = script(t, append(env, fmt.Sprintf("%s=%d", indexVar, i)), args...)
			}()
		}
		wg.Wait()
		for i := range n {
			require.Zero(t, status[i], "shard index %d: %s", i, stderr[i])
		}
	}

	t.Run("slurm", func(t *testing.T) {
		shared := t.TempDir()
		root, err := filepath.Abs("../..")
		require.NoError(t, err)
		env := []string{"N=3", "MAXMARGIN=" + bin, "CASES=" + cases, "SHARED=" + shared,
			"SLURM_SUBMIT_DIR=" + root, "SLURM_CPUS_PER_TASK=1"}
		runShards(t, 3, "SLURM_ARRAY_TASK_ID", env, "deploy/slurm/shard.sbatch")
		status, stderr := script(t, env, "deploy/slurm/merge.sbatch")
		require.Equal(t, serialStatus, status, stderr)
		requireSameReport(t, serialDir, serialJSON, filepath.Join(shared, "report"))

		// A rerun of shard 2 finds every reference of its cases cached.
		status, stderr = script(t, append(env, "SLURM_ARRAY_TASK_ID=1"), "deploy/slurm/shard.sbatch")
		require.Zero(t, status, stderr)
		assert.Regexp(t, `references: [1-9][0-9]* from the cache in .*, 0 solved`, stderr)

		// Without shard 3 the merge fails, naming it.
		require.NoError(t, os.Remove(filepath.Join(shared, "out", "shard-3-of-3.json")))
		status, stderr = script(t, env, "deploy/slurm/merge.sbatch")
		assert.Equal(t, 1, status)
		assert.Contains(t, stderr, "missing shard(s) 3/3")
	})

	t.Run("kubernetes", func(t *testing.T) {
		verifyJob := manifest(t, "verify-job.yaml")
		mergeJob := manifest(t, "merge-job.yaml")
		require.Len(t, verifyJob, 2)
		job := verifyJob[1]
		require.Equal(t, "Job", job.Kind)
		assert.Equal(t, "PersistentVolumeClaim", verifyJob[0].Kind)
		assert.Equal(t, "Indexed", job.Spec.CompletionMode)
		n := job.Spec.Completions
		assert.Equal(t, n, job.Spec.Parallelism)
		shardPod := job.Spec.Template.Spec.Containers[0]
		mergePod := mergeJob[0].Spec.Template.Spec.Containers[0]
		require.Equal(t, fmt.Sprint(n), shardPod.env("N"), "completions and N agree")
		require.Equal(t, fmt.Sprint(n), mergePod.env("N"), "the merge Job's N agrees")
		assert.Equal(t, shardPod.env("SHARED"), mergePod.env("SHARED"))
		deploy, err := filepath.Abs(deployDir)
		require.NoError(t, err)
		shared := t.TempDir()
		env := []string{"N=" + shardPod.env("N"), "MAXMARGIN=" + bin, "CASES=" + cases, "SHARED=" + shared, "DEPLOY=" + deploy,
			"VERIFY_FLAGS=" + shardPod.env("VERIFY_FLAGS")}
		require.Equal(t, []string{"/bin/sh", "-c"}, shardPod.Command[:2])
		runShards(t, n, "JOB_COMPLETION_INDEX", env, "-c", shardPod.Command[2])
		status, stderr := script(t, env, "-c", mergePod.Command[2])
		require.Equal(t, serialStatus, status, stderr)
		requireSameReport(t, serialDir, serialJSON, filepath.Join(shared, "report"))
	})

	t.Run("slurm submit", func(t *testing.T) {
		// sbatch is a stub that logs its arguments and prints job ids 42, 43.
		stubs := t.TempDir()
		log := filepath.Join(stubs, "sbatch.log")
		require.NoError(t, os.WriteFile(filepath.Join(stubs, "sbatch"), []byte(
			"#!/bin/sh\necho \"$*\" >> \"$SBATCH_LOG\"\necho $((41 + $(wc -l < \"$SBATCH_LOG\")))\n"), 0o755))
		shared := t.TempDir()
		status, stderr := script(t, []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "SBATCH_LOG=" + log, "SHARED=" + shared},
			"deploy/slurm/submit.sh", "5")
		require.Zero(t, status, stderr)
		b, err := os.ReadFile(log)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		require.Len(t, lines, 2)
		assert.Contains(t, lines[0], "--array=0-4 ")
		assert.Contains(t, lines[0], "N=5 deploy/slurm/shard.sbatch")
		assert.Contains(t, lines[1], "--dependency=afterany:42 ")
		assert.Contains(t, lines[1], "N=5 deploy/slurm/merge.sbatch")
		assert.DirExists(t, filepath.Join(shared, "log"))

		status, stderr = script(t, []string{"PATH=" + stubs + ":" + os.Getenv("PATH"), "SBATCH_LOG=" + log},
			"deploy/slurm/submit.sh", "0")
		assert.Equal(t, 2, status)
		assert.Contains(t, stderr, "N must be a positive integer")
	})
}

// k8sObject is the part of a Kubernetes object the test reads.
type k8sObject struct {
	Kind string `json:"kind"`
	Spec struct {
		CompletionMode string `json:"completionMode"`
		Completions    int    `json:"completions"`
		Parallelism    int    `json:"parallelism"`
		Template       struct {
			Spec struct {
				Containers []k8sContainer `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

type k8sContainer struct {
	Command []string `json:"command"`
	Env     []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"env"`
}

// env returns the value of the container's environment variable name.
func (c k8sContainer) env(name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// manifest parses a YAML file of deploy/kubernetes with Python's yaml
// module (the standard library has no YAML parser); the test skips without
// it.
func manifest(t *testing.T, name string) []k8sObject {
	t.Helper()
	if exec.Command("/usr/bin/python3", "-c", "import yaml").Run() != nil {
		t.Skip("python3 with the yaml module not found (apt-get install python3-yaml)")
	}
	out, err := exec.Command("/usr/bin/python3", "-c",
		"import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
		filepath.Join(deployDir, "kubernetes", name)).Output()
	require.NoError(t, err, "%s does not parse as YAML", name)
	var objs []k8sObject
	require.NoError(t, json.Unmarshal(out, &objs))
	return objs
}

// TestDeployScriptsParse checks the syntax of every deploy script with
// bash -n (and sh -n for the POSIX ones).
func TestDeployScriptsParse(t *testing.T) {
	for _, s := range []struct{ shell, path string }{
		{"sh", "run-shard.sh"}, {"sh", "merge.sh"},
		{"bash", "slurm/shard.sbatch"}, {"bash", "slurm/merge.sbatch"}, {"bash", "slurm/submit.sh"},
	} {
		out, err := exec.Command(s.shell, "-n", filepath.Join(deployDir, s.path)).CombinedOutput()
		assert.NoError(t, err, "%s -n %s: %s", s.shell, s.path, out)
	}
}
