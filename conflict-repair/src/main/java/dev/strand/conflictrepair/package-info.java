/**
 * Resolution and repair (the next issue): the protocol that makes replicas that diverged equal again
 * (phases, merging the replicas' logs of operations) and {@code strand repair} for what it cannot decide.
 * Pure where it can be, like {@code replication} and {@code cop2}; the coordinator's actor only feeds it.
 *
 * <p>What it starts from: the coordinator marks a replica {@code DIVERGED} ({@code replication.StorageGroup},
 * decided by {@code replication.CatchUpPlanner}) when it holds changes no current replica has; a replica's
 * events carry the operation, names, fids, version vectors and origin, so they are the resolution log.
 */
package dev.strand.conflictrepair;
