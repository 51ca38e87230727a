package dev.strand.volume;

import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.message.Empty;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Reply;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutations a replica applied recently, by (client id, request id), so that a client that lost its
 * connection (or was told TIMEOUT) and sends a request again (same ids: see {@code StrandConnection}) gets the
 * answer the first attempt got instead of having it applied twice (a retried create would otherwise fail with
 * EXISTS, a retried remove with NOT_FOUND, a retried store would bump the data version again).
 *
 * <p>Part of the replica's state ({@link Volume#recentRequests()}): changed only by {@link #record}, which the
 * event handler calls for every event, live and during recovery. Each mutation event carries its
 * {@link Origin}, so the window is rebuilt from the journal (and kept in snapshots, {@link Snapshot}).
 *
 * <p>What is remembered per request: which vnode's attributes the reply carries (create, mkdir, symlink, link,
 * setattr, store) or none (remove, rmdir, rename answer Empty), and the request's digest ({@link RequestDigest}).
 * The answer to a retry is built from the volume as it is at the retry: the attributes of that vnode now (a vnode
 * removed since answers STALE), or Empty. A "retry" whose digest differs is another request under a reused
 * id: it is refused with REQUEST_ID_REUSED, never given this request's answer. A refusal is not remembered: it
 * changed nothing, so a retry of it is simply evaluated again (as if the first attempt had never come).
 *
 * <p>Bounded: the last {@link #DEFAULT_PER_CLIENT} requests of each client, and a client not seen for
 * {@link #DEFAULT_IDLE} is forgotten (a retry comes within the client's reconnect bound, about a minute).
 *
 * <p>Not thread safe: owned by one replica's state.
 */
public final class RecentRequests {

    public static final int DEFAULT_PER_CLIENT = 1024;
    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);

    /** How often (in the time of the requests seen) idle clients are looked for. */
    private static final long FORGET_EVERY_MILLIS = 60_000;

    private final int perClient;
    private final long idleMillis;
    private final Map<String, ClientWindow> clients = new HashMap<>();
    private long lastForgetMillis;

    public RecentRequests() {
        this(DEFAULT_PER_CLIENT, DEFAULT_IDLE);
    }

    public RecentRequests(int perClient, Duration idle) {
        if (perClient < 1) {
            throw new IllegalArgumentException("perClient must be at least 1");
        }
        this.perClient = perClient;
        this.idleMillis = idle.toMillis();
    }

    /** How a recognised retry is answered: the first answer again, or a refusal that changes nothing. */
    public sealed interface Answer {
        record Again(Reply reply) implements Answer {}

        record Refused(Status status, String message) implements Answer {}
    }

    // ---- what a replica calls ----------------------------------------------------------------

    /**
     * The answer to give again if {@code (clientId, requestId)} was applied already, else null (run it):
     * REQUEST_ID_REUSED if the pair was applied for a request of another digest. Only reads.
     * Requests without a client id are never recognised.
     */
    public Answer answerAgain(Volume volume, String clientId, long requestId, String digest,
                                            long nowMillis) {
        if (clientId == null) {
            return null;
        }
        ClientWindow window = clients.get(clientId);
        if (window == null || window.lastSeenMillis < nowMillis - idleMillis) {
            return null;
        }
        Applied applied = window.requests.get(requestId);
        if (applied == null) {
            return null;
        }
        if (applied.digest() != null && digest != null && !applied.digest().equals(digest)) {
            return new Answer.Refused(Status.REQUEST_ID_REUSED, "request id " + requestId
                    + " of client " + clientId + " was used for another request, which was applied; "
                    + "a retry must resend the same request, and a new request needs a new request id");
        }
        return applied.answer(volume);
    }

    /** Remembers the success a mutation event records (events without an origin are ignored). The event handler's. */
    public void record(VolumeEvent event) {
        if (event instanceof VolumeEvent.RecentRequestsAdopted adopted) { // CATCH-UP: the source's window
            adopt(adopted.entries());
            return;
        }
        Origin origin = originOf(event);
        if (origin == null || origin.clientId() == null) {
            return;
        }
        remember(origin.clientId(), origin.requestId(), new Applied(replyVnodeOf(event), origin.requestDigest()),
                origin.timeMillis());
    }

    /** How many requests are remembered in all (for tests and figures). */
    public int size() {
        return clients.values().stream().mapToInt(w -> w.requests.size()).sum();
    }

    // ---- snapshots ---------------------------------------------------------------------------

    /**
     * What a replica's snapshot holds: the volume and this window. Versioned like the events (see
     * {@link VolumeEvent}); a snapshot written before this class existed is a bare {@link VolumeSnapshot}.
     */
    public record Snapshot(VolumeSnapshot volume, List<Entry> recentRequests) implements Serialized {
        public Snapshot {
            recentRequests = recentRequests == null ? List.of() : List.copyOf(recentRequests);
        }
    }

    /**
     * One remembered request. {@code refusedStatus}/{@code refusedMessage}: a refusal, as windows written before
     * refusals were no longer remembered held them; such entries are ignored when read. {@code digest}: the
     * request's {@link RequestDigest}, null in entries written before digests.
     */
    public record Entry(String clientId, long requestId, long seenMillis, Fid replyVnode, Status refusedStatus,
                        String refusedMessage, String digest) {
        public Entry(String clientId, long requestId, long seenMillis, Fid replyVnode, Status refusedStatus,
                     String refusedMessage) {
            this(clientId, requestId, seenMillis, replyVnode, refusedStatus, refusedMessage, null);
        }
    }

    public Snapshot snapshot(VolumeSnapshot volume) {
        List<Entry> entries = new ArrayList<>(size());
        clients.forEach((clientId, window) -> window.requests.forEach((requestId, applied) ->
                entries.add(new Entry(clientId, requestId, window.lastSeenMillis, applied.replyVnode(), null, null,
                        applied.digest()))));
        return new Snapshot(volume, entries);
    }

    /**
     * A page of the window ({@code max} entries after the first {@code skip}), in the order of
     * {@link #snapshot}: what a replica that catches up adopts. Stable while nothing is recorded.
     */
    public List<Entry> page(int skip, int max) {
        List<Entry> all = snapshot(null).recentRequests();
        int from = Math.min(Math.max(skip, 0), all.size());
        return List.copyOf(all.subList(from, Math.min(all.size(), from + Math.max(max, 0))));
    }

    /** A window holding a snapshot's entries (in the order they were remembered). */
    public static RecentRequests restored(List<Entry> entries) {
        RecentRequests window = new RecentRequests();
        window.adopt(entries);
        return window;
    }

    private void adopt(List<Entry> entries) {
        for (Entry e : entries) {
            if (e.refusedStatus() == null) {
                remember(e.clientId(), e.requestId(), new Applied(e.replyVnode(), e.digest()), e.seenMillis());
            }
        }
    }

    // ---- the window --------------------------------------------------------------------------

    private void remember(String clientId, long requestId, Applied applied, long nowMillis) {
        ClientWindow window = clients.computeIfAbsent(clientId, id -> new ClientWindow(perClient));
        window.requests.put(requestId, applied);
        window.lastSeenMillis = Math.max(window.lastSeenMillis, nowMillis);
        if (nowMillis - lastForgetMillis >= FORGET_EVERY_MILLIS) {
            lastForgetMillis = nowMillis;
            long idleSince = nowMillis - idleMillis;
            clients.values().removeIf(w -> w.lastSeenMillis < idleSince);
        }
    }

    private static final class ClientWindow {
        final LinkedHashMap<Long, Applied> requests;
        long lastSeenMillis;

        ClientWindow(int limit) {
            this.requests = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Applied> eldest) {
                    return size() > limit;
                }
            };
        }
    }

    /** A success; the reply carries {@code replyVnode}'s attributes, or is Empty when it is null. */
    private record Applied(Fid replyVnode, String digest) {
        Answer answer(Volume volume) {
            if (replyVnode == null) {
                return new Answer.Again(Empty.INSTANCE);
            }
            try {
                return new Answer.Again(volume.attr(volume.resolve(replyVnode)));
            } catch (StrandException e) {
                return new Answer.Refused(Status.STALE, "the request was applied already, but "
                        + replyVnode + " has been removed since");
            }
        }
    }

    // ---- what each event means for a retry (one place: new events with an origin join here) ---

    static Origin originOf(VolumeEvent event) {
        if (event instanceof VolumeEvent.FileCreated e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.EntryRemoved e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.DirectoryRemoved e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.Renamed e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            return e.origin();
        } else if (event instanceof VolumeEvent.ContentStored e) {
            return e.origin();
        }
        return null;
    }

    /** The vnode whose attributes the mutation's reply carries; null for the ones answering Empty. */
    private static Fid replyVnodeOf(VolumeEvent event) {
        if (event instanceof VolumeEvent.FileCreated e) {
            return e.file();
        } else if (event instanceof VolumeEvent.DirectoryCreated e) {
            return e.directory();
        } else if (event instanceof VolumeEvent.SymlinkCreated e) {
            return e.symlink();
        } else if (event instanceof VolumeEvent.LinkAdded e) {
            return e.target();
        } else if (event instanceof VolumeEvent.AttributesSet e) {
            return e.fid();
        } else if (event instanceof VolumeEvent.ContentStored e) {
            return e.fid();
        }
        return null; // EntryRemoved, DirectoryRemoved, Renamed
    }
}
