package dev.strand.actors.registry;

import dev.strand.volume.FrameBudget;

import java.util.ArrayList;
import java.util.List;

/** A page of the registry's volumes in name order, cut to fit one message between nodes (see {@link FrameBudget}). */
record VolumesPage(List<VolumeRegistry.VolumeRecord> volumes, boolean last) {

    /** Upper bound of a volume record's CBOR bytes besides its texts (checked by FrameSizeTest). */
    static final int VOLUME_RECORD_BYTES = 160;

    /** The volumes of {@code sorted} (in name order) named after {@code after}, up to about {@code pageBytes}. */
    static VolumesPage after(List<VolumeRegistry.VolumeRecord> sorted, String after, int pageBytes) {
        List<VolumeRegistry.VolumeRecord> page = new ArrayList<>();
        int left = pageBytes;
        for (VolumeRegistry.VolumeRecord v : sorted) {
            if (after != null && v.name().compareTo(after) <= 0) {
                continue;
            }
            int cost = cost(v);
            if (cost > left && !page.isEmpty()) {
                return new VolumesPage(List.copyOf(page), false);
            }
            left -= cost;
            page.add(v);
        }
        return new VolumesPage(List.copyOf(page), true);
    }

    static int cost(VolumeRegistry.VolumeRecord v) {
        int cost = VOLUME_RECORD_BYTES + FrameBudget.text(v.name()) + FrameBudget.text(v.minReplicas());
        for (String id : v.replicaEntityIds() == null ? List.<String>of() : v.replicaEntityIds()) {
            cost += FrameBudget.text(id);
        }
        return cost;
    }
}
