package dev.strand.actors.connection;

import dev.strand.actors.testing.InProcessServer;
import dev.strand.protocol.Frame;
import dev.strand.protocol.Opcode;
import dev.strand.protocol.Status;
import dev.strand.protocol.WireCodec;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeList;
import dev.strand.protocol.message.VolumeListReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** VOLUME_LIST page by page over a real TCP connection, against the real (sharded) registry. */
class VolumeListTest {

    private static final int VOLUMES = 25;
    private static InProcessServer server;
    private static WireClient client;
    private static List<String> names;

    @BeforeAll
    static void start() throws Exception {
        server = InProcessServer.start();
        // the first request waits for sharding to start: a generous bound, not an expectation
        client = new WireClient(server.port(), Duration.ofSeconds(30)).greet("volume-list-test");
        // created out of name order: the pages come in name order all the same
        names = IntStream.range(0, VOLUMES).mapToObj(i -> "vol-%02d".formatted((i * 7) % VOLUMES)).toList();
        for (String name : names) {
            client.createVolume(name);
        }
        names = names.stream().sorted().toList();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static List<String> namesOf(VolumeListReply page) {
        return page.volumes().stream().map(VolumeInfo::name).toList();
    }

    @Test
    void volumesAreListedPageByPageInNameOrder() throws Exception {
        List<String> listed = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String after = null;
        boolean more = true;
        while (more) {
            VolumeListReply page = client.call(new VolumeList(after, 10), VolumeListReply.class);
            sizes.add(page.volumes().size());
            listed.addAll(namesOf(page));
            more = page.more();
            if (more) {
                after = listed.get(listed.size() - 1);
            }
            assertThat(sizes).as("pages so far").hasSizeLessThanOrEqualTo(3);
        }
        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(listed).isEqualTo(names);
    }

    @Test
    void theFirstPageWithoutALimitIsTheServersPageSizeAndHoldsThemAll() throws Exception {
        VolumeListReply all = client.call(new VolumeList(), VolumeListReply.class);
        assertThat(namesOf(all)).isEqualTo(names);
        assertThat(all.more()).isFalse();
        assertThat(all.volumes().get(0).files()).as("listings do not ask the replicas").isEqualTo(-1);
    }

    @Test
    void aPageAfterTheLastVolumeIsEmptyAndComplete() throws Exception {
        VolumeListReply atEnd = client.call(new VolumeList(names.get(VOLUMES - 1), 10), VolumeListReply.class);
        assertThat(atEnd.volumes()).isEmpty();
        assertThat(atEnd.more()).isFalse();

        VolumeListReply past = client.call(new VolumeList("zzz", 0), VolumeListReply.class);
        assertThat(past.volumes()).isEmpty();
        assertThat(past.more()).isFalse();

        // a cursor between two names starts after it, whether or not a volume has that name
        VolumeListReply between = client.call(new VolumeList("vol-03x", 2), VolumeListReply.class);
        assertThat(namesOf(between)).containsExactly("vol-04", "vol-05");
        assertThat(between.more()).isTrue();
    }

    @Test
    void aNegativeLimitIsABadRequestAndTheConnectionCarriesOn() throws Exception {
        Frame refused = client.call(Opcode.VOLUME_LIST, WireCodec.encode(new VolumeList(null, -1)));
        assertThat(WireClient.status(refused)).isEqualTo(Status.BAD_REQUEST);
        assertThat(WireClient.error(refused).message()).contains("limit");

        assertThat(namesOf(client.call(new VolumeList(null, 1), VolumeListReply.class))).containsExactly("vol-00");
    }
}
