package dev.strand.protocol;

import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.error.NotFoundException;
import dev.strand.protocol.message.*;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireCodecTest {

    @Test
    void everyRequestTypeRoundTrips() {
        Fid fid = new Fid(7, 12, 3);
        List<Request> requests = List.of(
                new Hello(1, "c", "cli", "id", "none", null), new Farewell(), new Ping(5),
                new VolumeCreate("docs", 1), new VolumeList(), new VolumeInfoRequest("docs"),
                new GetAttr(fid), new Walk(fid, List.of("a", "b")), new ReadDir(fid, "x", 10, true),
                new ReadLink(fid), new Create(fid, "f", 0644, true), new MkDir(fid, "d", 0755),
                new Symlink(fid, "l", "../t"), new Link(fid, "h", fid), new Remove(fid, "f"), new RmDir(fid, "d"),
                new Rename(fid, "a", fid, "b"), new SetAttr(fid, 0600, 10L, null), new Store(fid, 100),
                new Fetch(fid, 0, -1), new VolumeCreate("docs", 3, "majority"), new Validate(fid));
        for (Request r : requests) {
            Opcode op = Opcode.of(r);
            assertThat(WireCodec.decode(WireCodec.encode(r), op.requestType())).isEqualTo(r);
        }
    }

    @Test
    void aRepairCheckAndItsReplyRoundTrip() {
        RepairCheckReply reply = new RepairCheckReply("docs", List.of(
                new ReplicaInfo(0, "7.0", "node-a", true, List.of(3L, 2L), 0, "diverged", 1, 0),
                new ReplicaInfo(1, "7.1", null, false, null, -1, "unavailable", -1, -1)),
                List.of("resolution of replicas [0, 1]"));
        assertThat(WireCodec.decode(WireCodec.encode(reply), Opcode.REPAIR_CHECK.replyType())).isEqualTo(reply);
        RepairCheck request = new RepairCheck("docs");
        assertThat(WireCodec.decode(WireCodec.encode(request), Opcode.REPAIR_CHECK.requestType())).isEqualTo(request);
        assertThat(Opcode.fromCode(54)).isEqualTo(Opcode.REPAIR_CHECK);
    }

    @Test
    void aValidateReplyRoundTrips() {
        ValidateReply reply = new ValidateReply(List.of(
                new ReplicaVersionInfo(0, "127.0.0.1:7355", true, List.of(2L, 2L), 3, null),
                new ReplicaVersionInfo(1, null, false, null, 0, "did not answer")), true);
        assertThat(WireCodec.decode(WireCodec.encode(reply), Opcode.VALIDATE.replyType())).isEqualTo(reply);
        assertThat(Opcode.fromCode(24)).isEqualTo(Opcode.VALIDATE);
    }

    /** VOLUME_INFO as a client from before replicated volumes reads it. */
    record VolumeInfoBeforeReplication(String name, long id, Fid root, int replicas, long createdMillis,
                                       long files, long directories, long symlinks, long bytes,
                                       List<Long> versionVector) implements Message {}

    @Test
    void volumeInfoWithReplicasStaysReadableByOlderClientsAndOlderRepliesStayReadable() {
        VolumeInfo info = new VolumeInfo("docs", 4, Fid.root(4), 2, 99, 1, 2, 3, 4, List.of(5L, 5L), "majority",
                List.of(new ReplicaInfo(0, "4.0", "n1", true, List.of(5L, 5L), 0),
                        new ReplicaInfo(1, "4.1", null, false, null, -1)));

        VolumeInfoBeforeReplication old = WireCodec.decode(WireCodec.encode(info), VolumeInfoBeforeReplication.class);
        assertThat(old.replicas()).isEqualTo(2);
        assertThat(old.versionVector()).containsExactly(5L, 5L);

        byte[] fromOldServer = WireCodec.encode(new VolumeInfoBeforeReplication("docs", 4, Fid.root(4), 1, 99, 1, 2,
                3, 4, List.of(5L)));
        VolumeInfo decoded = WireCodec.decode(fromOldServer, VolumeInfo.class);
        assertThat(decoded.replicaInfo()).isNull();
        assertThat(decoded.minReplicas()).isNull();
        assertThat(decoded.files()).isEqualTo(1);
    }

    @Test
    void fidIsEncodedAsAThreeElementArray() throws Exception {
        byte[] bytes = WireCodec.encode(new GetAttr(new Fid(1, 2, 3)));
        var tree = WireCodec.mapper().readTree(bytes);
        assertThat(tree.get("fid").isArray()).isTrue();
        assertThat(tree.get("fid").size()).isEqualTo(3);
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        byte[] bytes = WireCodec.mapper().writeValueAsBytes(java.util.Map.of("nonce", 9, "future", "x"));
        assertThat(WireCodec.decode(bytes, Ping.class)).isEqualTo(new Ping(9));
    }

    @Test
    void aMalformedBodyIsABadRequest() {
        assertThatThrownBy(() -> WireCodec.decode(new byte[]{(byte) 0xff, 0x13}, GetAttr.class))
                .isInstanceOf(BadRequestException.class);
    }

    @Test
    void anErrorBodyBecomesTheExceptionOfItsStatus() {
        byte[] body = WireCodec.encode(new NotFoundException("no such file: /docs/x").toErrorBody());
        StrandException e = WireCodec.decodeError(body);
        assertThat(e).isInstanceOf(NotFoundException.class).hasMessage("no such file: /docs/x");
    }

    @Test
    void opcodeAndStatusNumbersAreUnique() {
        assertThat(java.util.Arrays.stream(Opcode.values()).map(Opcode::code).distinct().count())
                .isEqualTo(Opcode.values().length);
        assertThat(java.util.Arrays.stream(Status.values()).map(Status::code).distinct().count())
                .isEqualTo(Status.values().length);
    }
}
