package dev.strand.it.protocol;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.it.server.SharedStrandServer;
import dev.strand.protocol.FrameType;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.Hello;
import dev.strand.protocol.message.Ping;
import dev.strand.protocol.message.Pong;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.Walk;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client sends is forwarded between nodes in messages of bounded size: requests that could not be are
 * refused where they enter, and lists come back in pages however long their names.
 */
class FrameBoundsIT {

    private static BlockingStrandClient client() {
        return BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(SharedStrandServer.address())));
    }

    @Test
    void aClientIdLongerThanTheLimitIsRefusedAtTheGreetingAndLeavesTheConnectionUngreeted() throws IOException {
        try (RawConnection c = new RawConnection(SharedStrandServer.port())) {
            c.request(1, new Hello(ProtocolLimits.PROTOCOL_VERSION, "strand", "t",
                    "x".repeat(ProtocolLimits.MAX_CLIENT_ID_BYTES + 1), "none", null));
            assertThat(WireCodec.decodeError(c.read().body()).status()).isEqualTo(Status.BAD_REQUEST);
            // a malformed HELLO (as every BAD_REQUEST) leaves the connection open, but not greeted
            c.request(2, new Ping(7));
            assertThat(WireCodec.decodeError(c.read().body()).status()).isEqualTo(Status.GREETING_REQUIRED);
        }
    }

    @Test
    void aWalkWhoseNamesExceedTheByteLimitIsRefusedAndTheConnectionCarriesOn() throws IOException {
        long volumeId;
        try (BlockingStrandClient client = client()) {
            volumeId = client.volumeCreate(SharedStrandServer.uniqueVolumeName("walk"), 1).id();
        }
        try (RawConnection c = new RawConnection(SharedStrandServer.port()).greet()) {
            List<String> names = Collections.nCopies(300, "n".repeat(ProtocolLimits.MAX_NAME_BYTES)); // 76,500 bytes
            c.request(2, new Walk(Fid.root(volumeId), names));
            var answer = c.read();
            assertThat(answer.type()).isEqualTo(FrameType.ERROR);
            assertThat(WireCodec.decodeError(answer.body()).status()).isEqualTo(Status.INVALID_ARGUMENT);

            c.request(3, new Ping(7));
            assertThat(WireCodec.decode(c.read().body(), Pong.class).nonce()).isEqualTo(7);
        }
    }

    @Test
    void aDirectoryOfNamesOfMaximumLengthIsListedWithAttributesInFull() {
        try (BlockingStrandClient client = client()) {
            String volume = SharedStrandServer.uniqueVolumeName("longnames");
            client.volumeCreate(volume, 1);
            client.mkdir("/" + volume + "/d");
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 1_500; i++) {
                String name = String.format("%05d", i) + "\u00e9".repeat(125);
                names.add(name);
                client.createFile("/" + volume + "/d/" + name, 0644, true);
            }

            List<String> listed = new ArrayList<>();
            Iterator<DirEntry> entries = client.list("/" + volume + "/d", false, true);
            entries.forEachRemaining(e -> {
                assertThat(e.attr()).isNotNull();
                listed.add(e.name());
            });

            assertThat(listed).isEqualTo(names);
            assertThat(client.volumeList()).extracting(VolumeInfo::name).contains(volume);
        }
    }
}
