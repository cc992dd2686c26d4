package verify_test

import (
	"context"
	"fmt"
	"os"

	"maxmargin/dataset"
	"maxmargin/verify"
)

// ExampleMerge runs the two jobs of a case as two shards and merges them
// into the serial run's summary; without the second shard the merge fails.
func ExampleMerge() {
	c, err := verify.ParseCase([]byte(`{"data": {"generator": "gaussian", "seed": 1, "k": 3, "d": 4, "per_class": 5, "sigma": 0.1},
		"claims": [{"claim": "signgd", "steps": 200}, {"claim": "nsd-op1", "steps": 200}]}`), "tiny.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	cases := []*verify.Case{c}
	plan, err := verify.PlanOf(cases, verify.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	jobs := verify.Jobs(cases)
	var shards []*verify.Summary
	for i := 1; i <= 2; i++ {
		part, _ := verify.Shard(jobs, i, 2)
		s := verify.Run(context.Background(), part, 1, verify.Options{}, nil)
		s.Plan, s.Shard = plan, &verify.ShardID{I: i, N: 2}
		shards = append(shards, s)
	}
	merged, err := verify.Merge(shards, []string{"shard-1.json", "shard-2.json"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range merged.Reports {
		fmt.Println(r.Claim.Name, "on", r.Case)
	}
	_, err = verify.Merge(shards[:1], []string{"shard-1.json"})
	fmt.Println(err)
	// Output:
	// signgd on tiny
	// nsd-op1 on tiny
	// verify: cannot merge: missing shard(s) 2/2 of 2 jobs; run them and merge again
}

// ExampleReferenceCache solves a reference once and loads it, re-checked,
// the second time.
func ExampleReferenceCache() {
	dir, err := os.MkdirTemp("", "refcache")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ds := dataset.GaussianClusters(1, 3, 4, 5, 0.1)
	var lower []float64
	for range 2 {
		c := &verify.ReferenceCache{Dir: dir, Build: "example"}
		refs, err := c.SolveReferences(ds, "max", "fro")
		if err != nil {
			fmt.Println(err)
			return
		}
		hits, solved := c.Counts()
		fmt.Printf("%d from the cache, %d solved\n", hits, solved)
		lower = append(lower, refs["max"].Lower, refs["fro"].Lower)
	}
	fmt.Println("same intervals:", lower[0] == lower[2] && lower[1] == lower[3])
	// Output:
	// 0 from the cache, 2 solved
	// 2 from the cache, 0 solved
	// same intervals: true
}
