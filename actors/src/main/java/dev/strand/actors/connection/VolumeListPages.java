package dev.strand.actors.connection;

import dev.strand.volume.FrameBudget;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.protocol.ProtocolLimits;
import dev.strand.protocol.error.BadRequestException;
import dev.strand.protocol.message.VolumeInfo;
import dev.strand.protocol.message.VolumeListReply;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How VOLUME_LIST's pages are cut: at most the client's {@code limit} volumes (the server's page size when 0), and
 * never more than fits one reply frame, whatever the names and the registry's page size. It exists so that the rule
 * lives in one place, apart from the asking (which {@link VolumeRequests} does: one registry page per request).
 */
final class VolumeListPages {

    /** Volumes in a page when the client asks for 0, and the most a page holds whatever it asks. */
    static final int MAX_PAGE = 1000;

    /** Upper bound of a listed VolumeInfo's CBOR bytes besides its two texts (checked by VolumeListPagesTest). */
    static final int INFO_BYTES = 256;

    /** What one page may take by the estimate: half a frame body, so that the estimate's errors have room. */
    static final int PAGE_BYTES = ProtocolLimits.MAX_BODY_LENGTH / 2;

    private VolumeListPages() {}

    /** The page size a request asks for; a negative limit is a BAD_REQUEST. */
    static int pageSize(int limit) {
        if (limit < 0) {
            throw new BadRequestException("VOLUME_LIST limit " + limit + " is negative (0: the server's page size)");
        }
        return limit == 0 ? MAX_PAGE : Math.min(limit, MAX_PAGE);
    }

    /**
     * The reply to a VOLUME_LIST from one registry page (already in name order, after the request's cursor):
     * its first volumes, up to {@code pageSize} and {@link #PAGE_BYTES}; {@code more} unless this is the end.
     */
    static VolumeListReply cut(List<VolumeRegistry.VolumeRecord> registryPage, boolean registryLast, int pageSize,
                               Function<VolumeRegistry.VolumeRecord, VolumeInfo> info) {
        List<VolumeInfo> page = new ArrayList<>(Math.min(pageSize, registryPage.size()));
        int left = PAGE_BYTES;
        for (VolumeRegistry.VolumeRecord v : registryPage) {
            int cost = cost(v);
            if (page.size() == pageSize || cost > left) {
                break;
            }
            left -= cost;
            page.add(info.apply(v));
        }
        return new VolumeListReply(page, page.size() < registryPage.size() || !registryLast);
    }

    static int cost(VolumeRegistry.VolumeRecord v) {
        return INFO_BYTES + FrameBudget.text(v.name()) + FrameBudget.text(v.minReplicasSetting());
    }
}
