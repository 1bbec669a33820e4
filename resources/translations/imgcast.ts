<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>ClientTableModel</name>
    <message>
        <location filename="../../app/client_table.py" line="46"/>
        <source>Computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="47"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="48"/>
        <source>Disk size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="49"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="50"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="51"/>
        <source>Rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="52"/>
        <source>Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="53"/>
        <source>Lost / repaired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="54"/>
        <source>Verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="192"/>
        <source>joined late</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="192"/>
        <location filename="../../app/client_table.py" line="196"/>
        <source>catching up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="194"/>
        <source>verified in pass {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="195"/>
        <source>joined, waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="195"/>
        <source>receiving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="197"/>
        <source>verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="197"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="198"/>
        <source>dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="198"/>
        <source>left the lobby</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="203"/>
        <source>it joined late</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="203"/>
        <source>it fell behind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="204"/>
        <source>caught up in pass {0}, {1} after {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="212"/>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="244"/>
        <source>a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="256"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="256"/>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/client_table.py" line="263"/>
        <source>client id {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiskChooser</name>
    <message>
        <location filename="../../app/pages/disk_page.py" line="74"/>
        <source>Disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="74"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="74"/>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="75"/>
        <source>Partitions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="75"/>
        <source>Can be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="89"/>
        <source>/path/to/file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="108"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="108"/>
        <source>no: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="138"/>
        <source>Chosen for you: this computer&apos;s disk, the only one that is neither mounted nor the running system. Disks that cannot be used say why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="141"/>
        <source>No disk of this computer can be used: each says why in the list. Choose a file, or start imgcast from a USB stick or the network (the imaging environment) to use this computer&apos;s disk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="65"/>
        <source>Write the image to a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="66"/>
        <source>Send an image or raw file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="67"/>
        <source>Image files (*.imgcast);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DiskPage</name>
    <message>
        <location filename="../../app/pages/disk_page.py" line="179"/>
        <source>What is sent, and where it goes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="183"/>
        <source>Send from (this computer as master)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="184"/>
        <source>A &amp;disk of this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="184"/>
        <source>An image or raw &amp;file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="184"/>
        <source>Bro&amp;wse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="187"/>
        <source>Write to (this computer as client)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="188"/>
        <source>A d&amp;isk of this computer (everything on it is replaced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="189"/>
        <source>A raw fi&amp;le:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="189"/>
        <source>Brows&amp;e…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="207"/>
        <source>&amp;Start session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="214"/>
        <source>Choose what this computer sends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="215"/>
        <source>Choose where this computer writes what it receives.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="216"/>
        <source>This computer becomes master or client when someone presses M, so choose both.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="237"/>
        <source>Overwrite a disk?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/disk_page.py" line="238"/>
        <source>Everything on {0} will be replaced by the image. This cannot be undone.

Overwrite {1}?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FileField</name>
    <message>
        <location filename="../../app/file_field.py" line="25"/>
        <source>/path/to/image.imgcast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/file_field.py" line="40"/>
        <source>imgcast images (*.imgcast);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImagingPage</name>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="45"/>
        <source>Image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="67"/>
        <source>What the engine reported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="73"/>
        <source>&amp;Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="75"/>
        <source>&amp;Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="93"/>
        <source>Saving an image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="94"/>
        <source>Putting an image file down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="95"/>
        <source>From {0}
To {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="100"/>
        <source>Reading the disk…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="100"/>
        <source>Putting the image down…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="119"/>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="146"/>
        <source>{0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="148"/>
        <source>ETA {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="166"/>
        <source>The image file is saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="168"/>
        <source>Size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="168"/>
        <source>{0} for a {1} disk ({2:.0%})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="170"/>
        <location filename="../../app/pages/imaging_page.py" line="179"/>
        <source>Took:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="171"/>
        <location filename="../../app/pages/imaging_page.py" line="180"/>
        <source>SHA-256:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="172"/>
        <source>saved {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="175"/>
        <source>The image is down on {0} and verified: its SHA-256 matches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="177"/>
        <source>Data written:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="177"/>
        <source>{0}, and {1} made zero</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="182"/>
        <source>Note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="183"/>
        <source>verified {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="189"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="191"/>
        <source>Saving the image file failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="192"/>
        <source>Putting the image down failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="193"/>
        <source>Why:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="195"/>
        <location filename="../../app/pages/imaging_page.py" line="197"/>
        <source>Result:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="195"/>
        <source>No image file was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="198"/>
        <source>{0} is incomplete: put an image down on it again before using it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="199"/>
        <source>{0} may be incomplete: put an image down on it again before using it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/imaging_page.py" line="208"/>
        <source>{0} at {1}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InventoryPage</name>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="57"/>
        <source>Schema version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="58"/>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="59"/>
        <source>Vendor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="60"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="61"/>
        <source>Serial</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="62"/>
        <source>Firmware vendor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="63"/>
        <source>Firmware version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="64"/>
        <source>Firmware date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="65"/>
        <source>Boot mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="66"/>
        <source>Host name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="67"/>
        <source>Operating system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="68"/>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="69"/>
        <source>Cores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="70"/>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="71"/>
        <source>Frequency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="72"/>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="73"/>
        <source>Total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="74"/>
        <source>Swap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="75"/>
        <source>Disks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="76"/>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="77"/>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="78"/>
        <source>Rotating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="79"/>
        <source>Removable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="80"/>
        <source>Partition table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="81"/>
        <source>Partitions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="82"/>
        <source>Mounted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="83"/>
        <source>Holds the running system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="84"/>
        <source>Can be a target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="85"/>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="86"/>
        <source>Backing file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="87"/>
        <source>Read only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="88"/>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="89"/>
        <source>File system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="90"/>
        <source>Mounted at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="91"/>
        <source>Starts at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="92"/>
        <source>Network adapters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="93"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="94"/>
        <source>MAC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="95"/>
        <source>IPv4 addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="96"/>
        <source>IPv6 addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="97"/>
        <source>MTU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="98"/>
        <source>Link up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="99"/>
        <source>Speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="100"/>
        <source>Multicast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="101"/>
        <source>This computer only (loopback)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="102"/>
        <source>Interfaces a session can use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="103"/>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="104"/>
        <source>Netmask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="105"/>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="156"/>
        <source>Hardware information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="157"/>
        <source>What imgcast detects on this computer (the same as `img info`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="162"/>
        <source>Item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="162"/>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="166"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="168"/>
        <source>&amp;Copy to clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="170"/>
        <source>Save as &amp;JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="189"/>
        <source>The hardware inventory is not available: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="192"/>
        <source>The hardware could not be read: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="207"/>
        <source>Copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="213"/>
        <source>Could not save: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="215"/>
        <source>Saved to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="218"/>
        <source>Save the inventory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/inventory_page.py" line="219"/>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KioskReturn</name>
    <message>
        <location filename="../../app/kiosk_return.py" line="44"/>
        <source>Back to the start page in {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/window.py" line="74"/>
        <source>imgcast — multicast imaging</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="101"/>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="103"/>
        <source>&amp;Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="107"/>
        <source>Ab&amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="139"/>
        <source>About imgcast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="140"/>
        <source>imgcast {version}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="143"/>
        <source>Puts one disk image down on many computers at once over IP multicast.
The open heir of the ZENworks imaging engine&apos;s session (multicast) mode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="247"/>
        <source>Session “{0}” on {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="255"/>
        <source>Sessions are not available in this build: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="262"/>
        <source>generated demo image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="264"/>
        <source>Demo session on this computer ({0} clients)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="268"/>
        <source>The demo cannot start: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="350"/>
        <source>Leave the session?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="351"/>
        <source>A session is running. Closing cancels it (a client&apos;s target stays incomplete). Close?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="355"/>
        <source>Stop the image file?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/window.py" line="356"/>
        <source>An image file is being saved or put down. Closing stops it (a disk being written stays incomplete). Close?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MakePage</name>
    <message>
        <location filename="../../app/pages/make_page.py" line="32"/>
        <source>Faster (larger file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="33"/>
        <source>Balanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="34"/>
        <source>Smaller (slower)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="41"/>
        <source>Save an image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="42"/>
        <source>Copy a disk of this computer into an image file, to send later or put down on other computers. The disk is only read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="48"/>
        <source>Save from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="48"/>
        <source>A &amp;disk of this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="48"/>
        <source>A raw disk fi&amp;le:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="49"/>
        <source>Bro&amp;wse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="49"/>
        <source>Save from a raw disk file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="50"/>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="54"/>
        <source>Save to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="56"/>
        <source>Brows&amp;e…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="56"/>
        <source>Save the image as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="59"/>
        <source>Image f&amp;ile:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="66"/>
        <source>How hard the image is compressed (img make --level).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="67"/>
        <source>&amp;Compression:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="73"/>
        <source>Copy every sec&amp;tor, not only the blocks in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="74"/>
        <source>For disks whose file systems imgcast cannot read (img make --raw). The image is larger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="81"/>
        <source>&amp;Save the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="96"/>
        <source>Replace the image file?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/make_page.py" line="97"/>
        <source>{0} already exists. Replace it?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProgressPage</name>
    <message>
        <location filename="../../app/pages/progress_page.py" line="121"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="142"/>
        <source>Secured session: encrypted and authenticated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="187"/>
        <source>Everything that happened in this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="197"/>
        <source>Become &amp;master (M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="198"/>
        <source>Make this computer the one that sends the image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="200"/>
        <source>&amp;Start now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="202"/>
        <source>Close the lobby and start sending to the clients that joined.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="204"/>
        <source>&amp;Cancel session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="241"/>
        <source>Secured: encrypted and authenticated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="242"/>
        <source>Not secured: anyone on this network can read this image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="251"/>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="253"/>
        <source>Sending {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="254"/>
        <source>Writing to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="255"/>
        <source>Sends {0} if this computer becomes the master, writes to {1} otherwise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="283"/>
        <source>Claiming the master role…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="288"/>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="318"/>
        <source>Waiting for the master on {0}:{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="320"/>
        <source>Press M or &quot;Become master&quot; on the computer that should send.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="323"/>
        <source>This computer is the {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="324"/>
        <source>master</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="324"/>
        <source>client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="328"/>
        <source>Waiting for clients on {0}:{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="336"/>
        <source>Ignoring the master {0} ({1}); waiting for the session&apos;s master</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="363"/>
        <source>1 client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="364"/>
        <source>{0} clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="365"/>
        <source>Pass {0}: catching up {1}, {2} slices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="368"/>
        <source>Catching up: waiting while the others finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="369"/>
        <source>Catching up in pass {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="370"/>
        <source>{0}. Nothing received is lost; the rest comes in a further pass.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="380"/>
        <source>Image: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="332"/>
        <source>Found the master {0} ({1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="340"/>
        <source>Joined; waiting for the master to start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="382"/>
        <source>Image of a {0} disk, built as it is sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="386"/>
        <source>Sending to 1 client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="390"/>
        <source>{0} of {1} clients joined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="392"/>
        <source>{0} clients joined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="349"/>
        <source>Another session ({0}) uses this address; its data is ignored. A different session name avoids this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="386"/>
        <source>Sending to {0} clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="356"/>
        <source>Receiving the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="373"/>
        <source>The copy on this computer is verified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="392"/>
        <source>1 client joined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="403"/>
        <source>{0} sent, {1} of the {2} disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="410"/>
        <source>Pass {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="420"/>
        <source>ETA {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="408"/>
        <source>{0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="422"/>
        <source>lost {0}, repaired {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/progress_page.py" line="430"/>
        <source>Starting by itself in {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RestorePage</name>
    <message>
        <location filename="../../app/pages/restore_page.py" line="29"/>
        <source>Put an image file down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="30"/>
        <source>Replace everything on a disk with an image file. The disk&apos;s image-safe data is kept, and the image is checked once it is down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="35"/>
        <source>Image to put down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="37"/>
        <source>Bro&amp;wse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="37"/>
        <source>Choose the image to put down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="39"/>
        <source>Image f&amp;ile:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="48"/>
        <source>Write to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="48"/>
        <source>A &amp;disk of this computer (everything on it is replaced)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="49"/>
        <source>A raw disk fi&amp;le:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="49"/>
        <source>Brows&amp;e…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="50"/>
        <source>Write to a raw disk file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="50"/>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="57"/>
        <source>&amp;Put the image down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="72"/>
        <source>Not an image imgcast can put down: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="77"/>
        <source>no partition table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="78"/>
        <source>{0}, {1} partitions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="79"/>
        <source>Image of a disk of {0} ({1}), made on {2} from {3} on {4}. The target needs at least {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="99"/>
        <source>Overwrite a disk?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/restore_page.py" line="100"/>
        <source>Everything on {0} will be replaced by {1}. This cannot be undone.

Overwrite {2}?</source>
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
        <location filename="../../app/pages/session_page.py" line="51"/>
        <source>Name the session</source>
        <extracomment>The operator asked for a demo with this many clients.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="52"/>
        <source>Use the same name on every computer of this session. The name alone decides the multicast address, so two rooms with different names never mix.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="61"/>
        <source>for example: room12-win11</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="64"/>
        <source>&amp;Session name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="72"/>
        <source>The multicast group address every computer of this session uses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="73"/>
        <source>Multicast address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="81"/>
        <source>How this &amp;address is made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="89"/>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="89"/>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="99"/>
        <source>optional: the same on every computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="101"/>
        <source>With a passphrase the session is encrypted and authenticated: only computers that know it can read the image or take part. An encrypted image file needs it too.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="103"/>
        <source>Passp&amp;hrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="113"/>
        <source>When the master starts sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="117"/>
        <source>no count (start by hand or by time)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="120"/>
        <source>clients=N: the master starts as soon as this many clients have joined.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="121"/>
        <source>&amp;Clients to wait for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="128"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="129"/>
        <source>no timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="132"/>
        <source>t=MINUTES: if fewer clients have joined, the master starts this long after the last one joined (fractions allowed). You can always start at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="134"/>
        <source>…or start after &amp;minutes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="138"/>
        <source>Computers that arrive la&amp;te may still join</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="140"/>
        <source>A client that joins while the image is being sent gets what it missed in a catch-up pass. Unticked: nobody can join once sending has started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="151"/>
        <source>Network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="154"/>
        <source>The network interface that carries the multicast.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="155"/>
        <source>&amp;Interface:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="159"/>
        <source>&amp;Limit the rate to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="163"/>
        <source> MB/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="166"/>
        <source>Keep the session from filling a shared network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="174"/>
        <source>UDP port; every computer of the session must use the same.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="175"/>
        <source>UDP &amp;port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="183"/>
        <source>Run it as a &amp;demo on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="185"/>
        <source>A real session over loopback with a generated image and as many clients as set above (at most 16): shows the whole flow without a network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="210"/>
        <source>Catch up (the others go on at their own pace)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="211"/>
        <source>A client too slow for the others keeps what it received and gets the rest in a further pass, at a pace it can take; nobody waits for it and nobody is dropped for being slow.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="213"/>
        <source>Wait for the slowest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="214"/>
        <source>Everyone receives at the pace of the slowest client (as udpcast and ZENworks did).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="215"/>
        <source>Drop clients slower than</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="216"/>
        <source>Like catch up, but a client that stays below this rate for 10 seconds is dropped and listed with the reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="221"/>
        <source>Sl&amp;ow clients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="226"/>
        <source>Bytes per second: for example 5M, 500k or 1.5G.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="228"/>
        <source>bytes/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="321"/>
        <source>Secured: encrypted and authenticated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="322"/>
        <source>Not secured: anyone on this network can read this image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="338"/>
        <source>System default (0.0.0.0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="348"/>
        <source>up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="348"/>
        <source>down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="349"/>
        <source>, loopback: this computer only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/session_page.py" line="353"/>
        <source>Loopback — 127.0.0.1 (this computer only)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <location filename="../../app/pages/start_page.py" line="22"/>
        <source>What would you like to do?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="23"/>
        <source>imgcast puts one disk image down on many computers at once over the network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="28"/>
        <source>&amp;Multicast session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="29"/>
        <source>Send this computer&apos;s disk or an image file to many computers, or receive one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="30"/>
        <source>&amp;Demo session on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="31"/>
        <source>A real session over loopback with a generated image: see the whole flow without a network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="32"/>
        <source>&amp;Save an image file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="33"/>
        <source>Copy a disk of this computer into an image file, to send or put down later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="34"/>
        <source>&amp;Put an image file down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="35"/>
        <source>Replace everything on a disk of this computer with an image file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="36"/>
        <source>&amp;Hardware information</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="37"/>
        <source>Disks, network interfaces and the rest of what imgcast detects here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="38"/>
        <source>&amp;Image-safe data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="39"/>
        <source>The network identity and last image kept on each disk, which imaging never overwrites.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="48"/>
        <source>Demo &amp;clients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/start_page.py" line="52"/>
        <source>How many receiving computers the demo simulates.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SummaryPage</name>
    <message>
        <location filename="../../app/pages/summary_page.py" line="41"/>
        <location filename="../../app/pages/summary_page.py" line="96"/>
        <source>Session finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="69"/>
        <source>Save &amp;report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="71"/>
        <source>&amp;Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="98"/>
        <source>Written to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="99"/>
        <source>Sent:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="102"/>
        <source>Image size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="103"/>
        <source>Time:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="104"/>
        <source>Average rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="105"/>
        <source>SHA-256:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="114"/>
        <source>Session ended without success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="115"/>
        <source>The session ended: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="117"/>
        <source>The target {0} is incomplete: do not start a computer from it; run a new session to fill it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="130"/>
        <source>Dropped:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="130"/>
        <source>Caught up:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="139"/>
        <source>This computer&apos;s copy is verified (SHA-256 matches the master&apos;s).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="140"/>
        <source>This computer&apos;s copy failed verification.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="143"/>
        <source>All {0} clients verified: every copy is identical to the image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="144"/>
        <source>{0} verified, {1} failed, {2} dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="207"/>
        <source>The report could not be saved: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="210"/>
        <source>Report saved to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="215"/>
        <source>Save the session report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/summary_page.py" line="216"/>
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
        <location filename="../../app/pages/base.py" line="48"/>
        <source>&amp;Next</source>
        <extracomment>Enter in the page&apos;s main field: the window treats it as Next (QMainWindow has no default button). Whether the window shows its Back/Next bar on this page (the session pages have their own).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/base.py" line="70"/>
        <source>Disks cannot be listed: {0}. Files still work.</source>
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
        <source>DNS &amp;servers</source>
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
        <location filename="../../app/pages/zisd_page.py" line="49"/>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="50"/>
        <source>SHA-256</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="51"/>
        <source>Put down at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="52"/>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="78"/>
        <source>Image-safe data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="79"/>
        <source>Kept on each disk outside every partition; putting an image down preserves it and records the new base image.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="85"/>
        <source>Dis&amp;k:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="98"/>
        <source>Identity of this workstation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="107"/>
        <source>Last base image put down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="112"/>
        <source>Re&amp;vert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="114"/>
        <source>W&amp;rite to disk…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="135"/>
        <source>Disks cannot be listed: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="165"/>
        <source>No disk to show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="170"/>
        <source>The image-safe data of {0} cannot be read: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="179"/>
        <source>This disk has no image-safe data yet; fill in the form to create it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="180"/>
        <source>This disk has no image-safe data yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="182"/>
        <source>Read only: this build of imgcast cannot write image-safe data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="193"/>
        <source>comma separated, e.g. 10.0.0.2, 10.0.0.3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="207"/>
        <source>None recorded: no session or restore has finished on this disk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="235"/>
        <source>Write image-safe data?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="236"/>
        <source>Write this identity to {0}? It is kept outside every partition and survives reimaging.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="242"/>
        <source>Nothing was written to {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/pages/zisd_page.py" line="245"/>
        <source>Written to {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
