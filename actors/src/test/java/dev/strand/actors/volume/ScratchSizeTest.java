package dev.strand.actors.volume;

import com.typesafe.config.ConfigFactory;
import dev.strand.protocol.message.*;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;

import java.util.*;

class ScratchSizeTest {
    @Test
    void measure() throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "strand", ConfigFactory.load());
        var ser = SerializationExtension.get(system.classicSystem());
        ModelVolume model = new ModelVolume();
        Fid dir = model.dir(model.root(), "d").fid();
        for (int i = 0; i < 1200; i++) {
            String n = String.format("%05d", i) + "x".repeat(250);
            Attr a = model.file(dir, n);
            model.commitStore(a.fid(), UUID.randomUUID(), 10);
        }
        ReadDirReply page = VolumeReads.readDir(model.volume, new ReadDir(dir, null, 0, true));
        System.out.println("readdir 1000 withAttrs: " + ser.serialize(new VolumeReplica.Result.Done(page)).get().length);
        System.out.println("one attr: " + ser.serialize(new VolumeReplica.Result.Done(page.entries().get(0).attr())).get().length);
        List<Long> nums = new ArrayList<>(model.volume.vnodesAfter(0).keySet());
        var images = VnodeSync.images(model.volume, nums);
        System.out.println("images: n=" + images.images().size() + " bytes=" + ser.serialize(new VolumeReplica.Result.VnodeImages(images)).get().length);
        var imagesFiles = VnodeSync.images(model.volume, nums.subList(2, nums.size()));
        System.out.println("images files: n=" + imagesFiles.images().size() + " bytes=" + ser.serialize(new VolumeReplica.Result.VnodeImages(imagesFiles)).get().length);
        var entries = VnodeSync.entries(model.volume.vnode(nums.get(1)), null, VnodeSync.BYTE_BUDGET);
        System.out.println("entries: n=" + entries.entries().size() + " bytes=" + ser.serialize(new VolumeReplica.Result.DirectoryEntries(entries, null)).get().length);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) ids.add(UUID.randomUUID());
        System.out.println("blobrefs 200k: " + ser.serialize(new VolumeReplica.Result.BlobReferences(0, ids)).get().length);
        system.terminate();
    }
}
