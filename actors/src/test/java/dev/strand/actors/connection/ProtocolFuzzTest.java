package dev.strand.actors.connection;

import dev.strand.actors.testing.InProcessServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.FrameCodec;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.*;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Sessions of generated frames against a real TCP server: valid requests of every opcode with random field values
 * (text that is not UTF-8, extreme numbers, fids of nothing), STOREs with their data, and mutated and garbage
 * frames. Every request must get its final frame, or its connection must be closed, without a stall; no answer
 * may be INTERNAL; and a well-behaved client on its own connection is served throughout, its file intact.
 */
class ProtocolFuzzTest {

    /** Sessions start only within this time, whatever the tries (a loaded build machine is slower). */
    private static final Duration BUDGET = Duration.ofSeconds(30);
    /** Longest silence of the server while a request is unanswered on an open connection. */
    private static final Duration STALL = Duration.ofSeconds(15);
    /** A session stops reading after this much FETCH data (a generated FETCH of a 16 TiB file never ends). */
    private static final long DATA_BUDGET = 8L << 20;
    private static final byte[] PRECIOUS = "what a well-behaved client stored".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MARK = WireClient.MARK.getBytes(StandardCharsets.UTF_8);
    /** What the fuzzer writes for text: three-byte sequences, valid and not. */
    private static final byte[][] TEXT_BYTES = {
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
            {(byte) 0xC0, (byte) 0xAF, 'x'}, {(byte) 0xFF, (byte) 0xFE, 'x'}, {'a', (byte) 0x80, 'b'},
            {(byte) 0xE2, (byte) 0x82, (byte) 0xAC}, {'a', 0, 'b'}};

    private static InProcessServer server;
    private static WireClient wellBehaved;
    private static Fid precious;
    private static long fuzzVolume;
    private static long preciousVolume;
    private static final AtomicLong framesSent = new AtomicLong();
    private static final AtomicLong sessions = new AtomicLong();
    private static long startNanos;

    @BeforeContainer
    static void start() throws Exception {
        server = InProcessServer.start();
        // the first requests wait for sharding to start: a generous bound, not an expectation
        wellBehaved = new WireClient(server.port(), Duration.ofSeconds(30)).greet("well-behaved");
        VolumeInfo mine = wellBehaved.createVolume("precious");
        preciousVolume = mine.id();
        precious = wellBehaved.call(new Create(mine.root(), "keep", 0644, true), Attr.class).fid();
        long id = wellBehaved.nextId();
        wellBehaved.send(Frame.request(Opcode.STORE, id, WireCodec.encode(new Store(precious, PRECIOUS.length))));
        wellBehaved.send(Frame.data(Opcode.STORE.code(), id, PRECIOUS));
        wellBehaved.send(Frame.dataEnd(Opcode.STORE.code(), id, WireCodec.encode(new StoreEnd(PRECIOUS.length))));
        WireClient.replyOf(wellBehaved.finalFrame(id), Attr.class);

        VolumeInfo fuzz = wellBehaved.createVolume("fuzz");
        fuzzVolume = fuzz.id();
        Attr file = wellBehaved.call(new Create(fuzz.root(), "f", 0644, true), Attr.class);
        wellBehaved.call(new MkDir(fuzz.root(), "d", 0755), Attr.class);
        wellBehaved.call(new Symlink(fuzz.root(), "l", "f"), Attr.class);
        wellBehaved.call(new Link(fuzz.root(), "h", file.fid()), Attr.class);
        startNanos = System.nanoTime();
    }

    @AfterContainer
    static void stop() throws Exception {
        System.out.printf("protocol fuzz: %d sessions, %d frames in %.1f s%n", sessions.get(), framesSent.get(),
                (System.nanoTime() - startNanos) / 1e9);
        wellBehaved.close();
        server.close();
    }

    @Property(tries = 600, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void everyRequestIsAnsweredOrItsConnectionClosedAndNeverInternal(@ForAll("sessions") Session session)
            throws Exception {
        if (System.nanoTime() - startNanos > BUDGET.toNanos()) {
            return;
        }
        sessions.incrementAndGet();
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) STALL.toMillis());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (Action action : session.actions()) {
                bytes.writeBytes(action.bytes());
                framesSent.addAndGet(action.frames());
            }
            socket.getOutputStream().write(bytes.toByteArray());
            socket.getOutputStream().flush();
            awaitAnswers(socket.getInputStream(), session.expected());
        }
        // a well-behaved client on another connection is still served, and its file is intact
        long id = wellBehaved.nextId();
        wellBehaved.send(Frame.request(Opcode.FETCH, id, WireCodec.encode(new Fetch(precious, 0, -1))));
        Frame[] last = new Frame[1];
        byte[] data = wellBehaved.fetchData(id, last);
        assertThat(last[0].type()).isEqualTo(FrameType.REPLY);
        assertThat(data).isEqualTo(PRECIOUS);
    }

    /** The answers after which the server closes the connection (docs/protocol.md 1.1). */
    private static final Set<Status> CLOSING = Set.of(Status.BAD_FRAME, Status.DUPLICATE_REQUEST_ID,
            Status.PROTOCOL_VERSION_MISMATCH, Status.WRONG_CLUSTER, Status.NOT_AUTHENTICATED);
    /** On a healthy server whose journal works, nothing is ever unavailable or late. */
    private static final Set<Status> NEVER = Set.of(Status.INTERNAL, Status.UNAVAILABLE, Status.TIMEOUT);

    private static void awaitAnswers(InputStream in, Set<Long> expected) throws IOException {
        Set<Long> unanswered = new HashSet<>(expected);
        boolean closingAnswered = false;
        List<String> received = new ArrayList<>();
        long data = 0;
        while (!unanswered.isEmpty() && data < DATA_BUDGET) {
            Frame frame;
            try {
                frame = FrameCodec.read(in);
            } catch (SocketTimeoutException e) {
                fail("the server said nothing for " + STALL.toSeconds() + " s while requests " + unanswered
                        + " were unanswered on an open connection");
                return;
            } catch (IOException e) {
                return; // reset by the server: the connection is closed, which is an allowed end
            }
            if (frame == null) {
                // closed by the server: never silently, with requests in flight
                assertThat(closingAnswered).as("closed with %s unanswered and no reason given after %s", unanswered,
                        received).isTrue();
                return;
            }
            received.add(frame.type() + " op " + frame.opcode() + " id " + frame.requestId());
            if (frame.type() == FrameType.ERROR) {
                ErrorBody error = WireCodec.decode(frame.body(), ErrorBody.class);
                Status status = Status.fromCode(error.code());
                assertThat(status).as("answer to opcode %d: %s", frame.opcode(), error.message()).isNotIn(NEVER);
                closingAnswered |= CLOSING.contains(status);
                unanswered.remove(frame.requestId());
            } else if (frame.type() == FrameType.REPLY) {
                closingAnswered |= frame.opcode() == Opcode.FAREWELL.code();
                unanswered.remove(frame.requestId());
            } else if (frame.type() == FrameType.DATA) {
                data += frame.body().length;
            }
        }
    }

    // ---- generated sessions ------------------------------------------------------------------

    /** Bytes to send; {@code answered} is the request id that must get a final frame, or null. */
    record Action(byte[] bytes, int frames, Long answered, String what) {
        Action(byte[] bytes, int frames, Long answered) {
            this(bytes, frames, answered, "?");
        }

        @Override
        public String toString() {
            return what;
        }
    }

    record Session(List<Action> actions) {
        Set<Long> expected() {
            Set<Long> ids = new HashSet<>();
            actions.forEach(a -> {
                if (a.answered() != null) {
                    ids.add(a.answered());
                }
            });
            return ids;
        }

        @Override
        public String toString() {
            return actions.toString();
        }
    }

    @Provide
    Arbitrary<Session> sessions() {
        Arbitrary<Boolean> greet = Arbitraries.integers().between(0, 9).map(n -> n > 0);
        Arbitrary<List<Step>> steps = step().list().ofMinSize(1).ofMaxSize(24);
        return Combinators.combine(greet, steps).as((g, s) -> {
            List<Action> actions = new ArrayList<>();
            long id = 1;
            if (g) {
                actions.add(frameAction(Frame.request(Opcode.HELLO, id, WireCodec.encode(new Hello(
                        ProtocolLimits.PROTOCOL_VERSION, null, "fuzz", null, "none", null))), id));
            }
            for (Step step : s) {
                id = step.reuseId() ? id : id + 1;
                actions.addAll(step.actions(id));
            }
            return new Session(actions);
        });
    }

    private static Action frameAction(Frame frame, Long answered) {
        return new Action(FrameCodec.encode(frame), 1, answered, frame.type() + " op " + frame.opcode() + " id "
                + frame.requestId() + (answered == null ? "" : " (answered)"));
    }

    /** One generated step of a session: a request (with a STORE's data), a mutated frame, or garbage. */
    record Step(int kind, Request request, byte[] text, byte[] data, long dataEndLength, int position, int value,
                boolean reuseId) {

        List<Action> actions(long id) {
            Opcode op = Opcode.of(request);
            byte[] body = withText(WireCodec.encode(request), text);
            Frame requestFrame = new Frame(FrameType.REQUEST, 0, op.code(), id, body);
            switch (kind) {
                case 0 -> { // a mutated frame: one byte of it (header or body) set to a random value
                    byte[] bytes = FrameCodec.encode(requestFrame);
                    int at = 4 + Math.floorMod(position, bytes.length - 4); // the length prefix stays: else it is garbage
                    bytes[at] = (byte) value;
                    return List.of(new Action(bytes, 1, null, "mutated " + op + " id " + id + " at " + at + " = " + value));
                }
                case 1 -> { // a garbage body under a random opcode
                    return List.of(frameAction(new Frame(FrameType.REQUEST, 0, value & 0xffff, id, data), null));
                }
                case 2 -> { // bytes that are not even framing (a length prefix above the limit): the connection closes
                    byte[] garbage = java.util.Arrays.copyOf(data, Math.max(4, data.length));
                    garbage[0] = (byte) 0xFF;
                    return List.of(new Action(garbage, 1, null, "garbage"));
                }
                default -> {
                    if (op != Opcode.STORE) {
                        return List.of(frameAction(requestFrame, reuseId ? null : id));
                    }
                    List<Action> store = new ArrayList<>();
                    store.add(frameAction(requestFrame, null));
                    store.add(frameAction(Frame.data(op.code(), id, data), null));
                    store.add(frameAction(Frame.dataEnd(op.code(), id, WireCodec.encode(new StoreEnd(dataEndLength))),
                            reuseId ? null : id));
                    return store;
                }
            }
        }
    }

    /** Replaces each marked character in the encoded text by the step's three bytes, valid UTF-8 or not. */
    private static byte[] withText(byte[] body, byte[] text) {
        for (int i = 0; i + 3 <= body.length; i++) {
            if (body[i] == MARK[0] && body[i + 1] == MARK[1] && body[i + 2] == MARK[2]) {
                System.arraycopy(text, 0, body, i, 3);
            }
        }
        return body;
    }

    private Arbitrary<Step> step() {
        Arbitrary<Integer> kind = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(1, 0), net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(1, 2),
                net.jqwik.api.Tuple.of(12, 3));
        Arbitrary<byte[]> text = Arbitraries.of(TEXT_BYTES);
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(2048);
        Arbitrary<Long> dataEnd = Arbitraries.oneOf(Arbitraries.just(-1L), Arbitraries.longs().between(-3, 3000),
                Arbitraries.just(Long.MAX_VALUE));
        Arbitrary<Boolean> reuse = Arbitraries.integers().between(0, 19).map(n -> n == 0);
        return Combinators.combine(kind, request(), text, data, dataEnd, Arbitraries.integers(),
                Arbitraries.integers().between(0, 255), reuse)
                .as((k, r, t, d, e, p, v, u) -> new Step(k, r, t, d, r instanceof Store ? endOf(d, e) : e, p, v, u));
    }

    /** Mostly the true length of the data, so that STOREs get to commit. */
    private static long endOf(byte[] data, long random) {
        return Math.floorMod(random, 4) == 0 ? random : data.length;
    }

    private Arbitrary<Request> request() {
        Arbitrary<Fid> fid = fid();
        Arbitrary<String> name = name();
        Arbitrary<Integer> anInt = Arbitraries.oneOf(Arbitraries.of(0, 1, -1, 0644, 0755, 07777, 010000,
                Integer.MAX_VALUE, Integer.MIN_VALUE), Arbitraries.integers());
        Arbitrary<Long> aLong = Arbitraries.oneOf(Arbitraries.of(0L, 1L, -1L, -2L, 5L, Long.MAX_VALUE, Long.MIN_VALUE,
                ProtocolLimits.MAX_FILE_SIZE, ProtocolLimits.MAX_FILE_SIZE + 1, Long.MAX_VALUE - 5), Arbitraries.longs());
        Arbitrary<Long> nullableLong = aLong.injectNull(0.3);
        return Arbitraries.oneOf(
                Combinators.combine(anInt, name.injectNull(0.2), name.injectNull(0.5), name.injectNull(0.2))
                        .as((v, c, n, a) -> new Hello(v, c, n, a, a == null ? null : "none", null)),
                Arbitraries.just(new Farewell()),
                aLong.map(Ping::new),
                Combinators.combine(volumeName(), anInt, Arbitraries.of("1", "majority", "2", WireClient.MARK)
                        .injectNull(0.5)).as(VolumeCreate::new),
                Combinators.combine(volumeName().injectNull(0.3), anInt).as(VolumeList::new),
                volumeName().map(VolumeInfoRequest::new),
                fid.map(GetAttr::new),
                Combinators.combine(fid, name.list().ofMaxSize(5)).as(Walk::new),
                Combinators.combine(fid, name.injectNull(0.5), anInt, Arbitraries.of(true, false)).as(ReadDir::new),
                fid.map(ReadLink::new),
                fid.map(Validate::new),
                Combinators.combine(fid, name, anInt, Arbitraries.of(true, false)).as(Create::new),
                Combinators.combine(fid, name, anInt).as(MkDir::new),
                Combinators.combine(fid, name, name).as(Symlink::new),
                Combinators.combine(fid, name, fid).as(Link::new),
                Combinators.combine(fid, name).as(Remove::new),
                Combinators.combine(fid, name).as(RmDir::new),
                Combinators.combine(fid, name, fid, name).as(Rename::new),
                Combinators.combine(fid, anInt.injectNull(0.5), nullableLong, nullableLong).as(SetAttr::new),
                Combinators.combine(fid, aLong).as(Store::new),
                Combinators.combine(fid, aLong, aLong, nullableLong).as(Fetch::new));
    }

    /** Mostly the fuzz volume's objects; never the well-behaved client's volume. */
    private Arbitrary<Fid> fid() {
        Arbitrary<Long> volume = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(8, fuzzVolume), net.jqwik.api.Tuple.of(1, Long.MAX_VALUE),
                net.jqwik.api.Tuple.of(1, -1L));
        Arbitrary<Long> vnode = Arbitraries.oneOf(Arbitraries.longs().between(1, 8),
                Arbitraries.of(0L, -1L, Long.MAX_VALUE));
        Arbitrary<Long> unique = Arbitraries.oneOf(Arbitraries.longs().between(1, 8), Arbitraries.of(0L, Long.MIN_VALUE));
        return Combinators.combine(volume, vnode, unique).as(Fid::new).injectNull(0.05)
                .filter(f -> f == null || f.volume() != preciousVolume);
    }

    private static Arbitrary<String> name() {
        return Arbitraries.oneOf(
                Arbitraries.of("f", "d", "l", "h", "x", ".", "..", "", "a/b", "a\0b", "\uD83D\uDE00", "n" + WireClient.MARK,
                        WireClient.MARK, "x".repeat(255), "y".repeat(256), "z".repeat(5000)),
                Arbitraries.strings().ofMaxLength(12));
    }

    private static Arbitrary<String> volumeName() {
        return Arbitraries.of("fuzz", "fuzz2", "precious", "", "-x", "v" + WireClient.MARK, "w".repeat(65), "nope");
    }
}
