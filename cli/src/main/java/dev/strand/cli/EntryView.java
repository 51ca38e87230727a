package dev.strand.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.strand.protocol.message.Attr;

import java.util.List;

/**
 * A file, directory or symbolic link as {@code stat --json} and {@code ls --json} print it. Field names are
 * stable; new fields may be added.
 *
 * @param mode        permission bits in octal ("0644")
 * @param permissions as ls -l shows them ("-rw-r--r--")
 * @param target      a symbolic link's target (only for symbolic links)
 */
public record EntryView(String path, String name, String type, String mode, String permissions, long size,
                        int links, String owner, String mtime, long mtimeMillis, long ctimeMillis, String fid,
                        long dataVersion, List<Long> versionVector,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String target) {

    public static EntryView of(String path, String name, Attr attr, String target) {
        return new EntryView(path, name, Formats.typeName(attr.type()), Formats.octal(attr.mode()),
                Formats.modeString(attr.type(), attr.mode()), attr.size(), attr.linkCount(), attr.owner(),
                Formats.isoTime(attr.mtimeMillis()), attr.mtimeMillis(), attr.ctimeMillis(), Formats.fid(attr.fid()),
                attr.dataVersion(), attr.versionVector() == null ? List.of() : attr.versionVector(), target);
    }
}
