package dev.strand.actors.connection;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.persistence.ChunkStore;
import dev.strand.protocol.FileSizes;
import dev.strand.protocol.Frame;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.Names;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Put;
import dev.strand.protocol.message.Reply;
import dev.strand.volume.RequestDigest;
import dev.strand.protocol.message.Store;
import dev.strand.protocol.message.StoreEnd;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.util.ByteString;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The STOREs in progress on one connection, and its PUTs (small files in one request, {@link #put}): each one's DATA is cut into chunks and written to a new blob
 * (registered first, so the sweep can find it whatever happens), then committed through the volume's replica.
 * It exists so that the upload state and its pumping sit apart from the protocol in {@link ConnectionActor}, which
 * routes DATA and DATA_END frames and the async results here and answers the STORE. It runs on that actor's
 * thread only (its async steps come back as the actor's messages), so it needs no locking.
 */
final class Uploads {

    /** Chunk writes one STORE keeps in flight; with 256 KiB chunks, 1 MiB of a stream waits on storage at most. */
    private static final int MAX_WRITES_IN_FLIGHT = 4;

    private final ConnectionActor connection;
    private final ActorContext<ConnectionActor.Command> context;
    private final ChunkStore chunks;
    private final VolumeRequests volumes;
    private final Map<Long, StoreUpload> uploads = new HashMap<>();

    Uploads(ConnectionActor connection, ActorContext<ConnectionActor.Command> context, ChunkStore chunks,
            VolumeRequests volumes) {
        this.connection = connection;
        this.context = context;
        this.chunks = chunks;
        this.volumes = volumes;
    }

    boolean contains(long requestId) {
        return uploads.containsKey(requestId);
    }

    boolean isEmpty() {
        return uploads.isEmpty();
    }

    int size() {
        return uploads.size();
    }

    /** Forgets every upload (the connection is closing); their blobs stay registered and unreferenced. */
    void clear() {
        uploads.clear();
    }

    /** Whether some upload has more data waiting than reading the socket on may add to. */
    boolean holdInbound() {
        for (StoreUpload upload : uploads.values()) {
            if (upload.holdsInbound()) {
                return true;
            }
        }
        return false;
    }

    /** STOREs whose DATA_END has not arrived: they cannot finish without more frames from the client. */
    int awaitingData() {
        int n = 0;
        for (StoreUpload upload : uploads.values()) {
            if (!upload.ended) {
                n++;
            }
        }
        return n;
    }

    /** The input ended: a STORE still waiting for its data can never end. */
    void failUnended() {
        for (StoreUpload upload : List.copyOf(uploads.values())) {
            if (!upload.ended) {
                fail(upload, new BadRequestException("the connection's input ended before this STORE's DATA_END"));
            }
        }
    }

    void start(long id, Store store) {
        Fid fid = VolumeRequests.required(store.fid(), "fid");
        FileSizes.checkExpectedLength(store.expectedLength());
        StoreUpload upload = new StoreUpload(id, fid, store.expectedLength());
        uploads.put(id, upload);
        context.pipeToSelf(volumes.askResending(fid.volume(), r -> new VolumeReplica.PrepareStore(fid, r)),
                (result, failure) -> new ConnectionActor.StorePrepared(upload, failure != null
                        ? VolumeRequests.asStrand(failure)
                        : result instanceof VolumeReplica.Result.Rejected ? VolumeRequests.rejection(result) : null));
    }

    /**
     * A PUT: its bytes go to a new blob (registered first, as a STORE's, so the sweep finds it whatever happens), then
     * the volume commits the blob under the name in one change (one COP1). Bad input is refused before anything is
     * written. It keeps no state on the actor: the steps chain on storage's and the coordinator's answers.
     */
    CompletionStage<Reply> put(long id, Put put) {
        Fid dir = VolumeRequests.required(put.dir(), "dir");
        Names.checkEntryName(put.name());
        Names.checkMode(put.mode());
        if (put.length() > ProtocolLimits.MAX_PUT_BYTES) {
            throw new InvalidArgumentException("a PUT carries at most " + ProtocolLimits.MAX_PUT_BYTES
                    + " bytes (this one " + put.length() + "); store larger contents with STORE");
        }
        String digest = RequestDigest.of(put); // the bytes included: a resent PUT of other bytes is not a retry
        String clientId = connection.clientId();
        long volume = dir.volume();
        UUID blobId = UUID.randomUUID();
        CompletionStage<Void> written = chunks.registerBlob(volume, blobId).thenCompose(ok -> put.length() == 0
                ? CompletableFuture.<Void>completedFuture(null) : chunks.writeChunk(blobId, 0, ByteBuffer.wrap(put.data())));
        return written.exceptionally(failure -> {
            chunks.deleteBlob(volume, blobId); // best effort; the sweep covers a failure
            throw Status.IO_ERROR.exception("cannot write file contents: " + failure.getMessage());
        }).thenCompose(ok -> volumes.askResending(volume, r -> new VolumeReplica.CommitPut(dir, put.name(), put.mode(),
                blobId, put.length(), digest, clientId, id, r, null))).thenApply(result -> {
            if (result instanceof VolumeReplica.Result.Rejected r && r.status().code() >= 20 && r.status().code() < 60) {
                chunks.deleteBlob(volume, blobId); // no such volume, or refused by the file system's rules: applied nowhere
            }
            return VolumeRequests.done(result);
        });
    }

    private boolean current(StoreUpload upload) {
        return uploads.get(upload.requestId) == upload;
    }

    void onPrepared(ConnectionActor.StorePrepared m) {
        StoreUpload upload = m.upload();
        if (!current(upload)) {
            return;
        }
        if (m.error() != null) {
            fail(upload, m.error());
            return;
        }
        upload.blobId = UUID.randomUUID();
        // Registered before the first chunk, so a crash at any later point leaves nothing the sweep cannot find.
        context.pipeToSelf(chunks.registerBlob(upload.fid.volume(), upload.blobId),
                (ok, failure) -> new ConnectionActor.BlobRegistered(upload, failure));
    }

    void onBlobRegistered(ConnectionActor.BlobRegistered m) {
        StoreUpload upload = m.upload();
        if (!current(upload)) {
            return;
        }
        if (m.failure() != null) {
            fail(upload, Status.IO_ERROR.exception("cannot register new contents: " + m.failure().getMessage()));
            return;
        }
        upload.writing = true;
        pump(upload);
    }

    void onData(Frame frame) {
        StoreUpload upload = uploads.get(frame.requestId());
        if (upload == null) {
            return; // not a STORE in flight (perhaps one already answered with an error): discarded
        }
        if (upload.ended) {
            fail(upload, new BadRequestException("DATA after DATA_END"));
            return;
        }
        long received = upload.received + frame.body().length;
        if (upload.expectedLength >= 0 && received > upload.expectedLength) {
            // refused at once: storage holds no more than the client announced
            fail(upload, new BadRequestException("STORE announced " + upload.expectedLength
                    + " bytes but sent more (" + received + " so far)"));
            return;
        }
        try {
            FileSizes.checkSize(received, "the data of the STORE");
        } catch (StrandException e) {
            fail(upload, e);
            return;
        }
        upload.pending = upload.pending.concat(ByteString.fromArrayUnsafe(frame.body()));
        upload.received = received;
        pump(upload);
    }

    void onDataEnd(Frame frame) {
        StoreUpload upload = uploads.get(frame.requestId());
        if (upload == null) {
            return; // as for DATA
        }
        StoreEnd end;
        try {
            end = WireCodec.decode(frame.body(), StoreEnd.class);
        } catch (StrandException e) {
            fail(upload, e);
            return;
        }
        if (upload.expectedLength >= 0 && upload.expectedLength != upload.received) {
            fail(upload, new BadRequestException("STORE announced " + upload.expectedLength
                    + " bytes but sent " + upload.received));
            return;
        }
        if (end.length() != upload.received) {
            fail(upload, new BadRequestException("STORE ended after " + upload.received
                    + " bytes but DATA_END says " + end.length()));
            return;
        }
        upload.ended = true;
        pump(upload);
    }

    /** Cuts whole chunks (and, after DATA_END, the last short one) and writes them; commits when all are written. */
    private void pump(StoreUpload upload) {
        if (!upload.writing || upload.committing) {
            return;
        }
        while (upload.writesInFlight < MAX_WRITES_IN_FLIGHT
                && (upload.pending.size() >= ChunkStore.CHUNK_SIZE || (upload.ended && !upload.pending.isEmpty()))) {
            int n = Math.min(ChunkStore.CHUNK_SIZE, upload.pending.size());
            ByteBuffer chunk = upload.pending.take(n).toByteBuffer();
            upload.pending = upload.pending.drop(n);
            long index = upload.nextChunk++;
            upload.writesInFlight++;
            if (index > 0 && index % ChunkStore.CHUNKS_PER_SEGMENT == 0) {
                chunks.registerBlob(upload.fid.volume(), upload.blobId); // touch: a long upload is not idle
            }
            context.pipeToSelf(chunks.writeChunk(upload.blobId, index, chunk),
                    (ok, failure) -> new ConnectionActor.ChunkWritten(upload, failure));
        }
        if (upload.ended && upload.pending.isEmpty() && upload.writesInFlight == 0) {
            upload.committing = true;
            long id = upload.requestId;
            String clientId = connection.clientId();
            CompletionStage<VolumeReplica.Result> commit = volumes.askResending(upload.fid.volume(),
                    r -> new VolumeReplica.CommitStore(upload.fid, upload.blobId, upload.received, clientId, id, r));
            uploads.remove(id);
            connection.answer(id, Opcode.STORE, commit.thenApply(VolumeRequests::done));
        }
        connection.ackInboundIfReady();
    }

    void onChunkWritten(ConnectionActor.ChunkWritten m) {
        StoreUpload upload = m.upload();
        if (!current(upload)) {
            return;
        }
        upload.writesInFlight--;
        if (m.failure() != null) {
            fail(upload, Status.IO_ERROR.exception("cannot write file contents: " + m.failure().getMessage()));
            return;
        }
        pump(upload);
    }

    /** Answers the STORE with an error at once; its remaining DATA frames will find no upload and be dropped. */
    private void fail(StoreUpload upload, StrandException error) {
        uploads.remove(upload.requestId);
        upload.pending = ByteString.emptyByteString();
        if (upload.blobId != null) {
            chunks.deleteBlob(upload.fid.volume(), upload.blobId); // best effort; the sweep covers a failure
        }
        connection.fail(upload.requestId, Opcode.STORE.code(), error);
    }

    /** A STORE in progress; touched only by the connection's actor. */
    static final class StoreUpload {
        final long requestId;
        final Fid fid;
        final long expectedLength;
        UUID blobId;
        ByteString pending = ByteString.emptyByteString();
        long received;
        long nextChunk;
        int writesInFlight;
        boolean writing;
        boolean ended;
        boolean committing;

        StoreUpload(long requestId, Fid fid, long expectedLength) {
            this.requestId = requestId;
            this.fid = fid;
            this.expectedLength = expectedLength;
        }

        /** Stop reading the socket while more than two chunks wait for storage (or for the store to start). */
        boolean holdsInbound() {
            return pending.size() > 2 * ChunkStore.CHUNK_SIZE;
        }
    }
}
