/**
 * Resolution and repair: the decisions that make replicas that diverged equal again, pure (no Pekko), like
 * {@code replication} and {@code cop2}; the resolution coordinator's actor (package {@code resolution}) only feeds
 * them (docs/architecture.md, "Resolution").
 *
 * <p>{@link dev.strand.conflictrepair.ResolutionPlanner} takes what each reachable replica reported
 * ({@link dev.strand.conflictrepair.ReplicaInput}: its resolution log of {@link dev.strand.conflictrepair.LogEntry}s
 * and its images of the objects the logs name, {@link dev.strand.conflictrepair.VnodeImages}) and answers a
 * {@link dev.strand.conflictrepair.ResolutionPlan}: per replica the {@link dev.strand.conflictrepair.PlanStep}s to
 * perform, the {@link dev.strand.conflictrepair.Conflict}s left for {@code strand repair}, and the final versions;
 * or that the logs cannot tell. {@link dev.strand.conflictrepair.MergeRules} holds the rules of the log merge in one
 * table; {@link dev.strand.conflictrepair.StepApplier} turns a replica's steps into the events it journals.
 */
package dev.strand.conflictrepair;
