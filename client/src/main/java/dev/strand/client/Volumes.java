package dev.strand.client;

import dev.strand.protocol.Names;
import dev.strand.protocol.error.BadFrameException;
import dev.strand.protocol.error.NoSuchVolumeException;
import dev.strand.protocol.error.StaleException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.VolumeCreate;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeInfoRequest;
import dev.strand.protocol.message.VolumeList;
import dev.strand.protocol.message.VolumeListReply;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The volume operations, and the root of each volume the client has seen (cached: a path's resolution starts
 * there). The list of volumes is read a page at a time (VOLUME_LIST {@code after} the last name of the previous
 * page) until the server says no more follow.
 */
final class Volumes {

    private final StrandConnection connection;
    private final ConcurrentHashMap<String, Fid> roots = new ConcurrentHashMap<>();

    Volumes(StrandConnection connection) {
        this.connection = connection;
    }

    /** A volume of {@code replicas} replicas; {@code minReplicas} null: the server's default. */
    CompletableFuture<VolumeInfo> create(String name, int replicas, String minReplicas) {
        Names.checkVolumeName(name);
        return connection.<VolumeInfo>call(new VolumeCreate(name, replicas, minReplicas)).thenApply(this::remember);
    }

    CompletableFuture<VolumeInfo> info(String name) {
        Names.checkVolumeName(name);
        return connection.<VolumeInfo>call(new VolumeInfoRequest(name)).thenApply(this::remember);
    }

    /** All volumes in name order, over as many pages as the server makes of them. */
    CompletableFuture<List<VolumeInfo>> list() {
        return listFrom(null, new ArrayList<>());
    }

    private CompletableFuture<List<VolumeInfo>> listFrom(String after, List<VolumeInfo> found) {
        return connection.<VolumeListReply>call(new VolumeList(after, 0)).thenCompose(reply -> {
            List<VolumeInfo> page = reply.volumes() == null ? List.of() : reply.volumes();
            page.forEach(this::remember);
            found.addAll(page);
            if (!reply.more()) {
                return CompletableFuture.completedFuture(List.copyOf(found));
            }
            // a server that says more follow must move on, or this would ask for the same page forever
            String last = page.isEmpty() ? null : page.get(page.size() - 1).name();
            if (last == null || (after != null && last.compareTo(after) <= 0)) {
                throw new BadFrameException("the server's page of volumes after "
                        + (after == null ? "the start" : "'" + after + "'") + " says more follow but "
                        + (last == null ? "is empty" : "ends at '" + last + "'") + "; it would never end");
            }
            return listFrom(last, found);
        });
    }

    /** The root of a volume: cached, else asked for. */
    CompletableFuture<Fid> root(String volume) {
        Fid cached = roots.get(volume);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return connection.<VolumeInfo>call(new VolumeInfoRequest(volume)).thenApply(info -> rootOf(remember(info)));
    }

    /** A volume that disappeared or changed identity must be looked up afresh next time. */
    <T> CompletableFuture<T> forgetOnFailure(String volume, CompletableFuture<T> result) {
        return result.whenComplete((value, error) -> {
            Throwable cause = error == null ? null : Futures.unwrap(error);
            if (cause instanceof NoSuchVolumeException || cause instanceof StaleException) {
                roots.remove(volume);
            }
        });
    }

    private VolumeInfo remember(VolumeInfo info) {
        roots.put(info.name(), rootOf(info));
        return info;
    }

    static Fid rootOf(VolumeInfo info) {
        return info.root() != null ? info.root() : Fid.root(info.id());
    }
}
