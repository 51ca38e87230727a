package dev.strand.actors.connection;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.FileSizes;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.Fetch;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The FETCHes in progress on one connection: each one opens the file at its replica, then reads the blob's chunks
 * a few ahead and streams them as DATA frames while the client keeps up (zeros past the stored bytes), and ends
 * with the reply. It exists so that the streaming state and its pumping sit apart from the protocol in
 * {@link ConnectionActor}, which routes the async results here and calls {@link #pumpAll()} when the socket takes
 * a batch. It runs on that actor's thread only (its async steps come back as the actor's messages).
 */
final class Fetches {

    /** Chunk reads one FETCH keeps ahead of what it has sent. */
    private static final int MAX_READS_IN_FLIGHT = 4;
    /** A FETCH sends more only while less than this is queued for the socket. */
    private static final int OUTBOX_HIGH_WATER = 2 * ChunkStore.CHUNK_SIZE;
    private static final ByteString ZEROS = ByteString.fromArrayUnsafe(new byte[ChunkStore.CHUNK_SIZE]);

    private final ConnectionActor connection;
    private final ActorContext<ConnectionActor.Command> context;
    private final ChunkStore chunks;
    private final VolumeRequests volumes;
    private final Outbox outbox;
    private final Map<Long, FetchStream> fetches = new HashMap<>();

    Fetches(ConnectionActor connection, ActorContext<ConnectionActor.Command> context, ChunkStore chunks,
            VolumeRequests volumes, Outbox outbox) {
        this.connection = connection;
        this.context = context;
        this.chunks = chunks;
        this.volumes = volumes;
        this.outbox = outbox;
    }

    /** Forgets every fetch (the connection is closing); their late results are dropped. */
    void clear() {
        fetches.clear();
    }

    void start(long id, Fetch fetch) {
        Fid fid = VolumeRequests.required(fetch.fid(), "fid");
        FileSizes.checkFetchRange(fetch.offset(), fetch.length());
        FetchStream stream = new FetchStream(id, fetch);
        fetches.put(id, stream);
        context.pipeToSelf(volumes.askResending(fid.volume(), r -> new VolumeReplica.OpenForFetch(fid, r)),
                (result, failure) -> {
                    if (failure != null) {
                        return new ConnectionActor.FetchOpened(stream, null, VolumeRequests.asStrand(failure));
                    }
                    if (result instanceof VolumeReplica.Result.FetchTarget target) {
                        return new ConnectionActor.FetchOpened(stream, target, null);
                    }
                    return new ConnectionActor.FetchOpened(stream, null, VolumeRequests.rejection(result));
                });
    }

    private boolean current(FetchStream fetch) {
        return fetches.get(fetch.requestId) == fetch;
    }

    void onOpened(ConnectionActor.FetchOpened m) {
        FetchStream fetch = m.fetch();
        if (!current(fetch)) {
            return;
        }
        if (m.error() != null) {
            fail(fetch, m.error());
            return;
        }
        Long expected = fetch.expectDataVersion;
        if (expected != null && m.target().attr().dataVersion() != expected) {
            // a resumed fetch would splice two versions of the file: the client starts again or gives up
            fail(fetch, Status.CHANGED.exception(fetch.fid + " changed: it is at data "
                    + "version " + m.target().attr().dataVersion() + ", the fetch expected " + expected
                    + "; fetch it again from the start"));
            return;
        }
        fetch.open(m.target());
        pump(fetch);
    }

    /** The socket took a batch: every fetch may send more. */
    void pumpAll() {
        List.copyOf(fetches.values()).forEach(this::pump); // a copy: a finished fetch leaves the map
    }

    /**
     * Sends, in order, what has been read, while the socket keeps up; keeps up to {@link #MAX_READS_IN_FLIGHT}
     * chunk reads ahead of what was sent, so that storage latency overlaps with the transfer.
     */
    private void pump(FetchStream fetch) {
        if (fetch.target == null || !current(fetch)) {
            return;
        }
        while (fetch.position < fetch.end && outbox.bytes() < OUTBOX_HIGH_WATER) {
            long chunkIndex = ChunkStore.chunkIndex(fetch.position);
            long chunkStart = chunkIndex * ChunkStore.CHUNK_SIZE;
            long chunkEnd = chunkStart + Math.min(fetch.end - chunkStart, ChunkStore.CHUNK_SIZE); // no overflow
            if (fetch.position >= fetch.storedEnd) {
                // past the stored bytes (a truncate grew the file): zeros
                sendData(fetch, ZEROS.take((int) (chunkEnd - fetch.position)));
                continue;
            }
            ByteBuffer data = fetch.ready.remove(chunkIndex);
            if (data == null) {
                break; // not read yet
            }
            long wanted = Math.min(chunkEnd, fetch.storedEnd);
            if (chunkStart + data.remaining() < wanted) {
                fail(fetch, Status.IO_ERROR.exception("chunk " + chunkIndex + " of "
                        + fetch.fid + " is shorter than the file says"));
                return;
            }
            ByteString chunk = ByteString.fromByteBuffer(data);
            sendData(fetch, chunk.slice((int) (fetch.position - chunkStart), (int) (wanted - chunkStart)));
        }
        long firstUnsent = ChunkStore.chunkIndex(fetch.position);
        while (fetch.readsInFlight < MAX_READS_IN_FLIGHT
                && fetch.nextRead * ChunkStore.CHUNK_SIZE < Math.min(fetch.storedEnd, fetch.end)
                && fetch.nextRead < firstUnsent + MAX_READS_IN_FLIGHT) {
            long index = fetch.nextRead++;
            fetch.readsInFlight++;
            context.pipeToSelf(chunks.readChunk(fetch.target.blobId(), index),
                    (data, failure) -> new ConnectionActor.ChunkRead(fetch, index, data, failure));
        }
        if (fetch.position >= fetch.end && fetch.readsInFlight == 0) {
            fetches.remove(fetch.requestId);
            connection.finish(fetch.requestId, Frame.reply(Opcode.FETCH.code(), fetch.requestId,
                    WireCodec.encode(new FetchReply(fetch.target.attr(), fetch.sent))));
        }
    }

    void onChunkRead(ConnectionActor.ChunkRead m) {
        FetchStream fetch = m.fetch();
        if (!current(fetch)) {
            return;
        }
        fetch.readsInFlight--;
        StrandException error = null;
        if (m.failure() != null) {
            error = Status.IO_ERROR.exception("cannot read file contents: " + m.failure().getMessage());
        } else if (m.data() == null) {
            error = Status.STALE.exception("the contents of " + fetch.fid + " were replaced during the fetch; fetch again");
        }
        if (error != null) {
            fail(fetch, error);
            return;
        }
        fetch.ready.put(m.index(), m.data());
        pump(fetch);
    }

    private void sendData(FetchStream fetch, ByteString bytes) {
        connection.enqueue(Outbox.header(FrameType.DATA, Opcode.FETCH.code(), fetch.requestId, bytes.size())
                .concat(bytes));
        fetch.position += bytes.size();
        fetch.sent += bytes.size();
    }

    private void fail(FetchStream fetch, StrandException error) {
        fetches.remove(fetch.requestId);
        connection.fail(fetch.requestId, Opcode.FETCH.code(), error);
    }

    /** A FETCH in progress; touched only by the connection's actor. */
    static final class FetchStream {
        final long requestId;
        final Fid fid;
        final long offset;
        final long length;
        /** The data version the bytes must come from (a resumed fetch), or null. */
        final Long expectDataVersion;
        VolumeReplica.Result.FetchTarget target;
        /** Next byte to send, and the end (exclusive) of the range asked for. */
        long position;
        long end;
        /** Bytes before this come from the blob; from here to the file's size they read as zeros. */
        long storedEnd;
        long sent;
        long nextRead;
        int readsInFlight;
        /** Chunks read but not yet sent, by index. */
        final Map<Long, ByteBuffer> ready = new HashMap<>();

        FetchStream(long requestId, Fetch fetch) {
            this.requestId = requestId;
            this.fid = fetch.fid();
            this.offset = fetch.offset();
            this.length = fetch.length();
            this.expectDataVersion = fetch.expectDataVersion();
        }

        void open(VolumeReplica.Result.FetchTarget target) {
            this.target = target;
            long size = target.attr().size();
            this.position = Math.min(offset, size);
            this.end = FileSizes.fetchEnd(position, length, size);
            this.storedEnd = target.blobId() == null ? 0 : Math.min(target.blobLength(), size);
            this.nextRead = ChunkStore.chunkIndex(position);
        }
    }
}
