/**
 * The resolution protocol: {@link dev.strand.conflictrepair.resolution.ResolutionCoordinator}, one actor per
 * resolution, runs its phases (gather logs, gather images, plan or compare fully, perform, confirm) against the
 * replicas as {@link dev.strand.conflictrepair.resolution.Participants} and reports one outcome to its parent. The
 * only package of conflict-repair that uses Pekko (ops ArchitectureTest); it feeds the pure planners of
 * {@code dev.strand.conflictrepair} and knows nothing of the actors module.
 */
package dev.strand.conflictrepair.resolution;
