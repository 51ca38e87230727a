package dev.strand.it.fs;

import dev.strand.client.BlockingStrandClient;
import dev.strand.client.ClientSettings;
import dev.strand.client.ServerAddress;
import dev.strand.client.StrandConnection;
import dev.strand.it.server.SharedStrandServer;
import dev.strand.protocol.StrandException;
import dev.strand.protocol.error.*;
import dev.strand.protocol.message.*;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A user's file operations end to end: client library, TCP, connection actor, volume replica, Cassandra. */
class FileSystemIT {
    private static BlockingStrandClient client;
    private static String volume;
    private static String root;

    @BeforeAll
    static void connect() {
        client = BlockingStrandClient.connect(ClientSettings.of(ServerAddress.parse(SharedStrandServer.address())));
        volume = SharedStrandServer.uniqueVolumeName("fs");
        client.volumeCreate(volume, 1);
        root = "/" + volume;
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Attr write(String path, byte[] bytes) {
        client.createFile(path, 0644, false);
        return client.write(path, bytes.length, Channels.newChannel(new java.io.ByteArrayInputStream(bytes)), n -> {});
    }

    private static byte[] read(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.cat(path, out, n -> {});
        return out.toByteArray();
    }

    private static List<String> names(String path) {
        List<String> names = new ArrayList<>();
        client.list(path, true, false).forEachRemaining(e -> names.add(e.name()));
        return names;
    }

    @Test
    void aFileOfSeveralChunksReadsBackByteForByte() {
        byte[] bytes = random(3 * 256 * 1024 + 12345, 1);
        Attr attr = write(root + "/three-chunks.bin", bytes);
        assertThat(attr.size()).isEqualTo(bytes.length);
        assertThat(read(root + "/three-chunks.bin")).isEqualTo(bytes);
    }

    @Test
    void anEmptyFileReadsBackEmpty() {
        write(root + "/empty", new byte[0]);
        assertThat(read(root + "/empty")).isEmpty();
        assertThat(client.stat(root + "/empty").size()).isZero();
    }

    @Test
    void storingAgainReplacesTheContentsAndBumpsTheVersion() {
        Attr first = write(root + "/replaced", random(1000, 2));
        byte[] second = random(700_000, 3);
        Attr after = write(root + "/replaced", second);
        assertThat(after.dataVersion()).isGreaterThan(first.dataVersion());
        assertThat(after.versionVector().get(0)).isGreaterThan(first.versionVector().get(0));
        assertThat(read(root + "/replaced")).isEqualTo(second);
    }

    @Test
    void aRangeOfAFileCanBeFetched() throws Exception {
        byte[] bytes = random(600_000, 4);
        Attr attr = write(root + "/ranged", bytes);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StrandConnection c = StrandConnection.connect(ClientSettings.of(ServerAddress.parse(SharedStrandServer.address())))) {
            FetchReply reply = c.fetch(attr.fid(), 262_000, 5_000, out, n -> {}).get();
            assertThat(reply.bytes()).isEqualTo(5_000);
        }
        assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 262_000, 267_000));
    }

    @Test
    void aFetchThatExpectsAnotherDataVersionIsChanged() throws Exception {
        byte[] first = random(1_000, 6);
        Attr before = write(root + "/expected", first);
        Attr after = client.write(root + "/expected", 10,
                Channels.newChannel(new java.io.ByteArrayInputStream(random(10, 7))), n -> {});
        try (StrandConnection c = StrandConnection.connect(ClientSettings.of(ServerAddress.parse(SharedStrandServer.address())))) {
            ByteArrayOutputStream stale = new ByteArrayOutputStream();
            assertThatThrownBy(() -> c.fetch(before.fid(), before.dataVersion(), 100, -1, stale, n -> {}).join())
                    .hasCauseInstanceOf(ChangedException.class);
            assertThat(stale.size()).isZero();

            ByteArrayOutputStream current = new ByteArrayOutputStream();
            FetchReply reply = c.fetch(after.fid(), after.dataVersion(), 0, -1, current, n -> {}).get();
            assertThat(reply.bytes()).isEqualTo(10);
        }
    }

    @Test
    void truncateShrinksAndAGrownFileReadsZerosPastTheOldEnd() {
        byte[] bytes = random(10_000, 5);
        write(root + "/truncated", bytes);
        client.truncate(root + "/truncated", 100);
        client.truncate(root + "/truncated", 300);
        byte[] got = read(root + "/truncated");
        assertThat(got).hasSize(300);
        assertThat(java.util.Arrays.copyOf(got, 100)).isEqualTo(java.util.Arrays.copyOf(bytes, 100));
        assertThat(java.util.Arrays.copyOfRange(got, 100, 300)).containsOnly(0);
    }

    @Test
    void offsetsBeyondFourGibibytesWork() throws Exception {
        long fiveGiB = 5L << 30;
        client.createFile(root + "/sparse", 0644, false);
        Attr attr = client.truncate(root + "/sparse", fiveGiB);
        assertThat(attr.size()).isEqualTo(fiveGiB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (StrandConnection c = StrandConnection.connect(ClientSettings.of(ServerAddress.parse(SharedStrandServer.address())))) {
            FetchReply reply = c.fetch(attr.fid(), fiveGiB - 10, 100, out, n -> {}).get();
            assertThat(reply.bytes()).isEqualTo(10);
        }
        assertThat(out.toByteArray()).hasSize(10).containsOnly(0);
    }

    @Test
    void mkdirsCreatesEveryMissingDirectory() {
        client.mkdirs(root + "/m/a/b/c");
        assertThat(client.stat(root + "/m/a/b/c").type()).isEqualTo(FileType.DIRECTORY);
        assertThat(client.stat(root + "/m/a").linkCount()).isEqualTo(3);
    }

    @Test
    void aLargeDirectoryIsListedCompletelyAndInOrderAcrossPages() {
        client.mkdir(root + "/big");
        Fid dir = client.stat(root + "/big").fid();
        int n = 2_500;
        List<CompletableFuture<Attr>> creates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            creates.add(client.async().connection().call(new Create(dir, String.format("f%05d", i), 0644, true)));
        }
        creates.forEach(CompletableFuture::join);
        List<String> names = new ArrayList<>();
        for (Iterator<DirEntry> it = client.list(root + "/big", true, false); it.hasNext(); ) {
            names.add(it.next().name());
        }
        assertThat(names).hasSize(n).isSorted();
        assertThat(names.get(0)).isEqualTo("f00000");
    }

    @Test
    void aMissingPathIsNotFound() {
        assertThatThrownBy(() -> client.stat(root + "/no/such/file")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.stat("/no-such-volume/x")).isInstanceOf(NoSuchVolumeException.class);
    }

    @Test
    void theServerRefusesBadNames() {
        Fid dir = client.stat(root).fid();
        StrandConnection c = client.async().connection();
        for (String bad : List.of("a/b", "nul\0", ".", "..", "")) {
            assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new Create(dir, bad, 0644, true))))
                    .as("name '%s'", bad).isInstanceOf(BadNameException.class);
        }
        assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new MkDir(dir, "x".repeat(256), 0755))))
                .isInstanceOf(NameTooLongException.class);
    }

    @Test
    void aSmallFileIsWrittenByOnePutAndAWriteThroughALinkOrIntoADirectoryStillWorks() {
        client.mkdir(root + "/small");
        byte[] first = random(4096, 21);
        Attr created = client.write(root + "/small/a", first.length,
                Channels.newChannel(new java.io.ByteArrayInputStream(first)), n -> {});
        assertThat(created.size()).isEqualTo(4096);
        assertThat(read(root + "/small/a")).isEqualTo(first);
        assertThat(names(root + "/small")).containsExactly("a"); // no temporary file was left

        byte[] second = random(100, 22);
        Attr replaced = client.write(root + "/small/a", second.length,
                Channels.newChannel(new java.io.ByteArrayInputStream(second)), n -> {});
        assertThat(replaced.fid()).isEqualTo(created.fid());
        assertThat(replaced.dataVersion()).isGreaterThan(created.dataVersion());
        assertThat(read(root + "/small/a")).isEqualTo(second);

        client.symlink("a", root + "/small/link");
        byte[] third = random(10, 23);
        client.write(root + "/small/link", third.length, Channels.newChannel(new java.io.ByteArrayInputStream(third)),
                n -> {});
        assertThat(client.stat(root + "/small/link").type()).isEqualTo(FileType.SYMLINK);
        assertThat(read(root + "/small/a")).isEqualTo(third);
    }

    @Test
    void aPutIsRefusedWithTheStatusOfWhatIsWrongAndWritesNothing() {
        client.mkdir(root + "/puts");
        Fid dir = client.stat(root + "/puts").fid();
        StrandConnection c = client.async().connection();
        byte[] tooMany = new byte[dev.strand.protocol.ProtocolLimits.MAX_PUT_BYTES + 1];
        assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new Put(dir, "big", 0644, tooMany))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("STORE");
        assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new Put(dir, "a/b", 0644, new byte[1]))))
                .isInstanceOf(BadNameException.class);
        assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new Put(dir, "m", 0170000, new byte[1]))))
                .isInstanceOf(InvalidArgumentException.class);
        client.mkdir(root + "/puts/sub");
        assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new Put(dir, "sub", 0644, new byte[1]))))
                .isInstanceOf(IsADirectoryException.class);
        Fid gone = new Fid(dir.volume(), dir.vnode() + 1_000_000, 1);
        assertThatThrownBy(() -> BlockingStrandClient.await(c.call(new Put(gone, "f", 0644, new byte[1]))))
                .isInstanceOf(StaleException.class);
        assertThat(names(root + "/puts")).containsExactly("sub");

        Attr put = BlockingStrandClient.await(c.<Attr>call(new Put(dir, "ok", 0600, new byte[]{1, 2, 3})));
        assertThat(put.mode()).isEqualTo(0600);
        assertThat(read(root + "/puts/ok")).containsExactly(1, 2, 3);
    }

    @Test
    void aNonEmptyDirectoryCannotBeRemoved() {
        client.mkdirs(root + "/full/child");
        assertThatThrownBy(() -> client.rmdir(root + "/full")).isInstanceOf(NotEmptyException.class);
        assertThat(client.stat(root + "/full/child").type()).isEqualTo(FileType.DIRECTORY);
    }

    @Test
    void aDirectoryCannotMoveUnderItself() {
        client.mkdirs(root + "/outer/inner");
        assertThatThrownBy(() -> client.mv(root + "/outer", root + "/outer/inner/x"))
                .isInstanceOf(InvalidMoveException.class);
        assertThat(client.stat(root + "/outer/inner").type()).isEqualTo(FileType.DIRECTORY);
    }

    @Test
    void creatingAnExistingNameExclusivelyFails() {
        client.createFile(root + "/once", 0644, true);
        assertThatThrownBy(() -> client.createFile(root + "/once", 0644, true)).isInstanceOf(ExistsException.class);
    }

    @Test
    void mvRenamesAndMovesIntoAnExistingDirectory() {
        byte[] bytes = random(5000, 6);
        write(root + "/to-move", bytes);
        client.mkdir(root + "/dest");
        client.mv(root + "/to-move", root + "/dest");
        assertThat(read(root + "/dest/to-move")).isEqualTo(bytes);
        assertThatThrownBy(() -> client.stat(root + "/to-move")).isInstanceOf(NotFoundException.class);
        client.mv(root + "/dest/to-move", root + "/dest/renamed");
        assertThat(read(root + "/dest/renamed")).isEqualTo(bytes);
    }

    @Test
    void aSymbolicLinkIsFollowedForContentsButNotByStat() {
        byte[] bytes = random(100, 7);
        client.mkdir(root + "/sl");
        write(root + "/sl/target", bytes);
        client.symlink("target", root + "/sl/link");
        assertThat(client.stat(root + "/sl/link").type()).isEqualTo(FileType.SYMLINK);
        assertThat(client.readLink(root + "/sl/link")).isEqualTo("target");
        assertThat(read(root + "/sl/link")).isEqualTo(bytes);
    }

    @Test
    void aHardLinkSharesContentsAndOutlivesTheOriginalName() {
        byte[] bytes = random(2000, 8);
        write(root + "/original", bytes);
        Attr linked = client.link(root + "/original", root + "/second-name");
        assertThat(linked.linkCount()).isEqualTo(2);
        client.rm(root + "/original");
        assertThat(read(root + "/second-name")).isEqualTo(bytes);
        assertThat(client.stat(root + "/second-name").linkCount()).isEqualTo(1);
    }

    @Test
    void chmodChangesThePermissionBits() {
        client.createFile(root + "/private", 0644, false);
        assertThat(client.chmod(root + "/private", 0600).mode()).isEqualTo(0600);
        assertThat(client.stat(root + "/private").mode()).isEqualTo(0600);
    }

    @Test
    void rmRecursiveRemovesAWholeTree() {
        client.mkdirs(root + "/tree/a/b");
        write(root + "/tree/a/b/f", random(10, 9));
        client.symlink("a", root + "/tree/l");
        client.rmRecursive(root + "/tree");
        assertThatThrownBy(() -> client.stat(root + "/tree")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void volumeInfoCountsWhatTheVolumeHolds() {
        String name = SharedStrandServer.uniqueVolumeName("counted");
        client.volumeCreate(name, 1);
        client.mkdir("/" + name + "/d");
        write("/" + name + "/d/f", random(4096, 10));
        client.symlink("d/f", "/" + name + "/l");
        VolumeInfo info = client.volumeInfo(name);
        assertThat(info.files()).isEqualTo(1);
        assertThat(info.directories()).isEqualTo(2);
        assertThat(info.symlinks()).isEqualTo(1);
        assertThat(info.bytes()).isEqualTo(4096);
        assertThatThrownBy(() -> client.volumeCreate(name, 1)).isInstanceOf(VolumeExistsException.class);
    }

    @Test
    void aBadVolumeNameIsRefused() {
        assertThatThrownBy(() -> client.volumeCreate("no/slash", 1)).isInstanceOf(StrandException.class)
                .hasMessageContaining("volume name");
    }
}
