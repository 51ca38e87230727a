package dev.strand.protocol.message;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a vnode is. Encoded as a short lower-case string. */
public enum FileType {
    @JsonProperty("file") FILE,
    @JsonProperty("dir") DIRECTORY,
    @JsonProperty("symlink") SYMLINK
}
