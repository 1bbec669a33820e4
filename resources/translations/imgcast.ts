<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>ClientTableModel</name>
    <message>
        <location filename="../../app/client_table.py" line="39"/>
        <source>Computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="40"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="41"/>
        <source>Disk size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="42"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="43"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="44"/>
        <source>Lost / repaired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="45"/>
        <source>Verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="139"/>
        <source>joined, waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="139"/>
        <source>receiving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="140"/>
        <source>verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="140"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="141"/>
        <source>dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="141"/>
        <source>left the lobby</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="155"/>
        <source>file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="165"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="165"/>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="171"/>
        <source>client id {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiskChooser</name>
    <message>
        <location filename="../../app/pages/disk_page.py" line="68"/>
        <source>Disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="68"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="68"/>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="69"/>
        <source>Partitions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="69"/>
        <source>Can be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="79"/>
        <source>/path/to/file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="96"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="125"/>
        <source>Write the image to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="128"/>
        <source>Send an image or raw file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="129"/>
        <source>Image files (*.imgcast);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiskPage</name>
    <message>
        <location filename="../../app/pages/disk_page.py" line="148"/>
        <source>What is sent, and where it goes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="152"/>
        <source>Send from (this computer as master)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="153"/>
        <source>A &amp;disk of this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="153"/>
        <source>An image or raw &amp;file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="153"/>
        <source>Bro&amp;wse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="156"/>
        <source>Write to (this computer as client)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="157"/>
        <source>A d&amp;isk of this computer (everything on it is replaced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="158"/>
        <source>A raw fi&amp;le:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="158"/>
        <source>Brows&amp;e…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="165"/>
        <source>&amp;Start session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="172"/>
        <source>Choose what this computer sends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="173"/>
        <source>Choose where this computer writes what it receives.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="174"/>
        <source>This computer becomes master or client when someone presses M, so choose both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="182"/>
        <source>Disks cannot be listed: {0}. Files still work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="200"/>
        <source>Overwrite a disk?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="201"/>
        <source>Everything on {0} will be replaced by the image. This cannot be undone.

Overwrite {1}?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InventoryPage</name>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="70"/>
        <source>Hardware information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="71"/>
        <source>What imgcast detects on this computer (the same as `img info`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="76"/>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="76"/>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="80"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="82"/>
        <source>&amp;Copy to clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="84"/>
        <source>Save as &amp;JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="103"/>
        <source>The hardware inventory is not available: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="106"/>
        <source>The hardware could not be read: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="121"/>
        <source>Copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="127"/>
        <source>Could not save: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="129"/>
        <source>Saved to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="132"/>
        <source>Save the inventory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="133"/>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/window.py" line="60"/>
        <source>imgcast — multicast imaging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="81"/>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="83"/>
        <source>&amp;Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="195"/>
        <source>Session “{0}” on {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="203"/>
        <source>Sessions are not available in this build: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="208"/>
        <source>generated demo image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="210"/>
        <source>Demo session on this computer ({0} clients)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="213"/>
        <source>The demo cannot start: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="251"/>
        <source>Leave the session?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="252"/>
        <source>A session is running. Closing cancels it (a client&apos;s target stays incomplete). Close?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProgressPage</name>
    <message>
        <location filename="../../app/pages/progress_page.py" line="82"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="126"/>
        <source>Everything that happened in this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="132"/>
        <source>Become &amp;master (M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="133"/>
        <source>Make this computer the one that sends the image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="135"/>
        <source>&amp;Start now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="137"/>
        <source>Close the lobby and start sending to the clients that joined.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="139"/>
        <source>&amp;Cancel session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="178"/>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="180"/>
        <source>Sending {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="181"/>
        <source>Writing to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="182"/>
        <source>Sends {0} if this computer becomes the master, writes to {1} otherwise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="210"/>
        <source>Claiming the master role…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="215"/>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="233"/>
        <source>Waiting for the master on {0}:{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="235"/>
        <source>Press M or &quot;Become master&quot; on the computer that should send.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="238"/>
        <source>This computer is the {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="239"/>
        <source>master</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="239"/>
        <source>client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="243"/>
        <source>Waiting for clients on {0}:{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="244"/>
        <location filename="../../app/pages/progress_page.py" line="247"/>
        <location filename="../../app/pages/progress_page.py" line="267"/>
        <source>Image: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="246"/>
        <source>Found the master {0} ({1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="249"/>
        <source>Joined; waiting for the master to start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="253"/>
        <source>{0} of {1} clients joined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="254"/>
        <source>{0} clients joined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="259"/>
        <source>Another session ({0}) uses this address; its data is ignored. A different session name avoids this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="265"/>
        <source>Sending to {0} clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="266"/>
        <source>Receiving the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="271"/>
        <source>The copy on this computer is verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="280"/>
        <source>ETA {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="281"/>
        <source>{0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="286"/>
        <source>lost {0}, repaired {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="294"/>
        <source>Starting by itself in {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RolePage</name>
    <message>
        <location filename="../../app/pages/role_page.py" line="18"/>
        <source>Which part does this computer play?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="19"/>
        <source>Every computer in a session runs imgcast with the same session name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="26"/>
        <source>&amp;Master: send an image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="27"/>
        <source>This computer sends its disk, or an image file, to every client that joins.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="28"/>
        <source>&amp;Client: receive an image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="29"/>
        <source>This computer&apos;s disk (or a file) is overwritten with what the master sends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="30"/>
        <source>&amp;Decide later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/role_page.py" line="31"/>
        <source>Every computer waits; the first one where someone presses M (or &quot;Become master&quot;) sends, and all the others receive.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionPage</name>
    <message>
        <location filename="../../app/pages/session_page.py" line="41"/>
        <source>Name the session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="42"/>
        <source>Use the same name on every computer of this session. The name alone decides the multicast address, so two rooms with different names never mix.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="51"/>
        <source>for example: room12-win11</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="54"/>
        <source>&amp;Session name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="62"/>
        <source>The multicast group address every computer of this session uses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="63"/>
        <source>Multicast address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="70"/>
        <source>How this &amp;address is made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="78"/>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="78"/>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="84"/>
        <source>When the master starts sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="88"/>
        <source>no count (start by hand or by time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="91"/>
        <source>clients=N: the master starts as soon as this many clients have joined.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="92"/>
        <source>&amp;Clients to wait for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="99"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="100"/>
        <source>no timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="103"/>
        <source>t=MINUTES: if fewer clients have joined, the master starts this long after the last one joined (fractions allowed). You can always start at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="105"/>
        <source>…or start after &amp;minutes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="111"/>
        <source>Network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="114"/>
        <source>The network interface that carries the multicast.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="115"/>
        <source>&amp;Interface:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="119"/>
        <source>&amp;Limit the rate to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="123"/>
        <source> MB/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="126"/>
        <source>Keep the session from filling a shared network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="134"/>
        <source>UDP port; every computer of the session must use the same.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="135"/>
        <source>UDP &amp;port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="200"/>
        <source>System default (0.0.0.0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="210"/>
        <source>up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="210"/>
        <source>down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="211"/>
        <source>, loopback: this computer only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="215"/>
        <source>Loopback — 127.0.0.1 (this computer only)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <location filename="../../app/pages/start_page.py" line="21"/>
        <source>What would you like to do?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="22"/>
        <source>imgcast puts one disk image down on many computers at once over the network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="27"/>
        <source>&amp;Multicast session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="28"/>
        <source>Send this computer&apos;s disk or an image file to many computers, or receive one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="29"/>
        <source>&amp;Demo session on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="30"/>
        <source>A real session over loopback with a generated image: see the whole flow without a network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="31"/>
        <source>&amp;Hardware information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="32"/>
        <source>Disks, network interfaces and the rest of what imgcast detects here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="33"/>
        <source>&amp;Image-safe data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="34"/>
        <source>The network identity and last image kept on each disk, which imaging never overwrites.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="45"/>
        <source>Demo &amp;clients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="49"/>
        <source>How many receiving computers the demo simulates.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <location filename="../../app/pages/summary_page.py" line="40"/>
        <location filename="../../app/pages/summary_page.py" line="88"/>
        <source>Session finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="65"/>
        <source>Save &amp;report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="67"/>
        <source>&amp;Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="90"/>
        <source>Written to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="91"/>
        <source>Sent:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="94"/>
        <source>Image size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="95"/>
        <source>Time:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="96"/>
        <source>Average rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="97"/>
        <source>SHA-256:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="104"/>
        <source>Session ended without success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="105"/>
        <source>The session ended: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="107"/>
        <source>The target {0} is incomplete: do not start a computer from it; run a new session to fill it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="117"/>
        <source>This computer&apos;s copy is verified (SHA-256 matches the master&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="118"/>
        <source>This computer&apos;s copy failed verification.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="121"/>
        <source>All {0} clients verified: every copy is identical to the image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="122"/>
        <source>{0} verified, {1} failed, {2} dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="153"/>
        <source>The report could not be saved: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="156"/>
        <source>Report saved to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="161"/>
        <source>Save the session report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="162"/>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ThroughputChart</name>
    <message>
        <location filename="../../app/throughput_chart.py" line="23"/>
        <source>Throughput over time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/throughput_chart.py" line="49"/>
        <source>Throughput — peak {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/throughput_chart.py" line="49"/>
        <source>Throughput</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WizardPage</name>
    <message>
        <location filename="../../app/pages/base.py" line="47"/>
        <source>&amp;Next</source>
        <extracomment>Enter in the page&apos;s main field: the window treats it as Next (QMainWindow has no default button). Whether the window shows its Back/Next bar on this page (the session pages have their own).</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ZisdPage</name>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="34"/>
        <source>Address by &amp;DHCP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="35"/>
        <source>&amp;IP address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="36"/>
        <source>Subnet &amp;mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="37"/>
        <source>&amp;Gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="38"/>
        <source>DNS &amp;servers (comma separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="39"/>
        <source>DNS s&amp;uffix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="40"/>
        <source>DNS &amp;host name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="41"/>
        <source>&amp;Computer name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="42"/>
        <source>&amp;Workgroup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="43"/>
        <source>D&amp;omain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="69"/>
        <source>Image-safe data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="70"/>
        <source>Kept on each disk outside every partition; putting an image down preserves it and records the new base image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="76"/>
        <source>Dis&amp;k:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="85"/>
        <source>Identity of this workstation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="88"/>
        <source>Last base image put down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="93"/>
        <source>Re&amp;vert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="95"/>
        <source>W&amp;rite to disk…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="115"/>
        <source>Disks cannot be listed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="140"/>
        <source>No disk to show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="145"/>
        <source>The image-safe data of {0} cannot be read: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="154"/>
        <source>This disk has no image-safe data yet; fill in the form to create it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="155"/>
        <source>This disk has no image-safe data yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="157"/>
        <source>Read only: this build of imgcast cannot write image-safe data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="179"/>
        <source>None recorded: no session or restore has finished on this disk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="207"/>
        <source>Write image-safe data?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="208"/>
        <source>Write this identity to {0}? It is kept outside every partition and survives reimaging.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="214"/>
        <source>Nothing was written to {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="217"/>
        <source>Written to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
