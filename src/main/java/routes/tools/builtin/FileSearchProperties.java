package routes.tools.builtin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The {@code file-search} tool ({@code caravan.tools.files.*}); the tool is on only when {@code root} is set. */
@ConfigurationProperties("caravan.tools.files")
public class FileSearchProperties {

    /** The folder the model may search, read-only (CARAVAN_TOOLS_FILES_ROOT); empty = the tool is off. */
    private String root = "";

    /** Most files looked at in one search; the search stops there and says so. */
    private int maxFiles = 2000;

    /** Bytes of each file searched for the query; the rest of a larger file is not read. */
    private DataSize maxFileBytes = DataSize.ofKilobytes(256);

    /** Most matching files listed in one result. */
    private int maxResults = 20;

    public String getRoot() { return root; }
    public void setRoot(String root) { this.root = root == null ? "" : root.trim(); }
    public int getMaxFiles() { return maxFiles; }
    public void setMaxFiles(int maxFiles) { this.maxFiles = maxFiles; }
    public DataSize getMaxFileBytes() { return maxFileBytes; }
    public void setMaxFileBytes(DataSize maxFileBytes) { this.maxFileBytes = maxFileBytes; }
    public int getMaxResults() { return maxResults; }
    public void setMaxResults(int maxResults) { this.maxResults = maxResults; }
}
