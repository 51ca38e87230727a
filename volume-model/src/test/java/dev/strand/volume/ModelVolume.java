package dev.strand.volume;

import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.GetAttr;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.ReadDir;
import dev.strand.protocol.message.ReadDirReply;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.protocol.message.Symlink;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A volume driven the way its replica drives it, without Pekko: reads answered from state, mutations
 * planned and their one event applied. Keeps the events, to check what a mutation commits. In a volume of
 * several replicas every mutation is the coordinator's next operation: its event is followed by its
 * {@link VolumeEvent.OperationRecorded}, as the replica persists them.
 */
public final class ModelVolume {

    public static final long VOLUME_ID = 7;

    public Volume volume = Volume.uninitialized();
    public final List<VolumeEvent> events = new ArrayList<>();
    private final String clientId;
    private long requestId;
    private long clock = 1_000_000;
    private long opId = 1L << 62; // where leased operation ids start
    private long givenOpId; // the coordinator's id for the next operation, when a test plays the coordinator

    public ModelVolume() {
        this(0, 1, "client-1", ResolutionLog.DEFAULT_LIMIT);
    }

    /**
     * Replica {@code replicaIndex} of a group of {@code replicas}, all created equal (as the registry initialises
     * them); its requests come from {@code clientId}.
     */
    public ModelVolume(int replicaIndex, int replicas, String clientId) {
        this(replicaIndex, replicas, clientId, ResolutionLog.DEFAULT_LIMIT);
    }

    /** Replica {@code replicaIndex} of a storage group of {@code replicas}, with a resolution log of this bound. */
    public ModelVolume(int replicas, int replicaIndex, int resolutionLogLimit) {
        this(replicaIndex, replicas, "client-1", resolutionLogLimit);
    }

    private ModelVolume(int replicaIndex, int replicas, String clientId, int resolutionLogLimit) {
        this.clientId = clientId;
        volume = Volume.uninitialized(resolutionLogLimit);
        apply(new VolumeEvent.VolumeInitialized(VOLUME_ID, "model", clock, replicaIndex, replicas, "anonymous",
                VnodeVersion.initial(replicas)));
    }

    public Fid root() {
        return volume.rootFid();
    }

    /** Answers a request as the replica would; failures are thrown. */
    public Reply execute(Request request) {
        Reply read = VolumeReads.answer(volume, request);
        return read != null ? read : run(Mutation.of(request, nextOrigin()));
    }

    /**
     * Runs a mutation as the coordinator's operation {@code opId} (COP1), as a replica does: an object it creates
     * takes its fid from the operation. The operation is recorded under that id.
     */
    public Reply execute(Request request, long opId) {
        Mutation mutation = Mutation.of(request, nextOrigin()).underOperation(opId);
        Outcome outcome = mutation.plan(volume);
        if (outcome instanceof Outcome.Unchanged unchanged) {
            return unchanged.reply();
        }
        VolumeEvent event = ((Outcome.Commit) outcome).event();
        apply(event);
        apply(new VolumeEvent.OperationRecorded(opId, Volume.touchedVnodes(event), clock));
        return mutation.reply(volume);
    }

    public Reply commitStore(Fid fid, UUID blobId, long length) {
        return run(new StoreMutation(nextOrigin(), fid, blobId, length));
    }

    private Reply run(Mutation mutation) {
        Outcome outcome = mutation.plan(volume);
        if (outcome instanceof Outcome.Unchanged unchanged) {
            return unchanged.reply();
        }
        VolumeEvent event = ((Outcome.Commit) outcome).event();
        apply(event);
        if (volume.replicas() > 1) {
            opId = givenOpId != 0 ? givenOpId : opId + 1;
            givenOpId = 0;
            apply(new VolumeEvent.OperationRecorded(opId, Volume.touchedVnodes(event), clock));
        }
        return mutation.reply(volume);
    }

    /**
     * The next mutation is the coordinator's operation {@code id} (tests that play a group's coordinator give every
     * replica of a side the same id, as COP1 does).
     */
    public void nextOperation(long id) {
        givenOpId = id;
    }

    /** The operation id of the last replicated mutation. */
    public long lastOpId() {
        return opId;
    }

    /** Applies (and keeps) an event as the replica's event handler would: COP2, expiry, catch-up, truncation, or one a resolution decided. */
    public void apply(VolumeEvent event) {
        events.add(event);
        volume = volume.apply(event);
    }

    private Origin nextOrigin() {
        return new Origin(clientId, ++requestId, "anonymous", ++clock);
    }

    public VolumeEvent lastEvent() {
        return events.get(events.size() - 1);
    }

    public long now() {
        return clock;
    }

    // ---- shortcuts ---------------------------------------------------------------------------

    public Attr file(Fid dir, String name) {
        return (Attr) execute(new Create(dir, name, 0644, true));
    }

    public Attr dir(Fid parent, String name) {
        return (Attr) execute(new MkDir(parent, name, 0755));
    }

    public Attr symlink(Fid dir, String name, String target) {
        return (Attr) execute(new Symlink(dir, name, target));
    }

    public Attr attr(Fid fid) {
        return (Attr) execute(new GetAttr(fid));
    }

    /** All names of a directory, paging through READDIR. */
    public List<String> names(Fid dir) {
        List<String> names = new ArrayList<>();
        String after = null;
        while (true) {
            ReadDirReply page = (ReadDirReply) execute(new ReadDir(dir, after, 0, false));
            page.entries().forEach(e -> names.add(e.name()));
            if (page.eof()) {
                return names;
            }
            after = page.entries().get(page.entries().size() - 1).name();
        }
    }
}
