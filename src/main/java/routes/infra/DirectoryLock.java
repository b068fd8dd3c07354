package routes.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS file lock on a data directory, held while a server uses it.
 *
 * <p>Kafka locks its log directories only once the broker starts, after the Raft layer has already opened (and
 * possibly written) the metadata log; a second process on the same directory must be stopped before that. The OS
 * drops the lock when the JVM dies, so a crash never leaves a stale lock behind.
 */
final class DirectoryLock implements AutoCloseable {

    /** Not Kafka's own {@code .lock}: locking that here would make the broker's lock attempt fail. */
    static final String FILE_NAME = "embedded.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param dir  the directory to lock (created if missing)
     * @param what the server using it, for the error message
     * @throws IllegalStateException if another process or this JVM holds the lock
     */
    static DirectoryLock acquire(Path dir, String what) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IllegalStateException(what + " data directory " + dir + " is in use by another process");
            }
            return new DirectoryLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new IllegalStateException(what + " data directory " + dir + " is in use in this JVM", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("Cannot lock " + what + " data directory " + dir, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing left to release.
            }
        }
    }
}
