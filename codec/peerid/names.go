package peerid

// azureusNames are the client codes of Azureus-style peer_ids, from the
// lists kept by libtransmission (clients.cc) and theory.org. Read-only.
var azureusNames = map[string]string{
	"AG": "Ares", "AR": "Arctic", "AT": "Artemis", "AV": "Avicora",
	"AX": "BitPump", "AZ": "Vuze", "BB": "BitBuddy", "BC": "BitComet",
	"BE": "BitTorrent SDK", "BF": "BitFlu", "BG": "BTGetit", "BI": "BiglyBT",
	"BL": "BitCometLite", "BN": "Baidu Netdisk", "BR": "BitRocket",
	"BS": "BTSlave", "BT": "BitTorrent", "BW": "BitWombat", "BX": "BittorrentX",
	"CD": "Enhanced CTorrent", "CT": "CTorrent", "DE": "Deluge",
	"DP": "Propagate Data Client", "EB": "EBit", "ES": "electric sheep",
	"FC": "FileCroc", "FD": "Free Download Manager", "FG": "FlashGet",
	"FL": "Folx", "FT": "FoxTorrent", "FW": "FrostWire", "FX": "Freebox",
	"GR": "GetRight", "GS": "GSTorrent", "HK": "Hekate", "HL": "Halite",
	"HN": "Hydranode", "IL": "iLivid", "JS": "Justseed.it", "KG": "KGet",
	"KT": "KTorrent", "LC": "LeechCraft", "LH": "LH-ABC", "LP": "Lphant",
	"LR": "LibreTorrent", "LT": "libtorrent", "LW": "LimeWire",
	"MG": "MediaGet", "MO": "MonoTorrent", "MP": "MooPolice", "MR": "Miro",
	"NE": "BT Next Evolution", "NX": "Net Transport", "OS": "OneSwarm",
	"OT": "OmegaTorrent", "PB": "Protocol::BitTorrent", "PD": "Pando",
	"PI": "PicoTorrent", "PT": "Popcorn Time", "QD": "QQDownload",
	"RT": "Retriever", "RZ": "RezTorrent", "SB": "Swiftbit", "SD": "Xunlei",
	"SP": "BitSpirit", "SS": "SwarmScope", "ST": "SymTorrent", "SZ": "Shareaza",
	"TB": "Torch", "TE": "terasaur", "TL": "Tribler", "TN": "TorrentDotNET",
	"TR": "Transmission", "TS": "Torrentstorm", "TT": "TuoTu",
	"UE": "µTorrent Embedded", "UL": "uLeecher", "UM": "µTorrent Mac",
	"UT": "µTorrent", "UW": "µTorrent Web", "VG": "Vagaa", "WD": "WebTorrent Desktop",
	"WT": "BitLet", "WW": "WebTorrent", "WY": "FireTorrent", "XF": "Xfplay",
	"XL": "Xunlei", "XS": "XSwifter", "XT": "XanTorrent", "XX": "Xtorrent",
	"ZT": "ZipTorrent", "lt": "libTorrent (rTorrent)", "qB": "qBittorrent",
	"TIX": "Tixati",
}

// mainlineNames are the client letters of Mainline-style peer_ids, by
// letter. Read-only.
var mainlineNames = [256]string{
	'M': "BitTorrent",
	'Q': "Queen Bee",
}

// shadowNames are the client letters of Shadow-style peer_ids, by letter.
// Read-only.
var shadowNames = [256]string{
	'A': "ABC",
	'O': "Osprey Permaseed",
	'Q': "BTQueue",
	'R': "Tribler",
	'S': "Shadow",
	'T': "BitTornado",
	'U': "UPnP NAT BitTorrent",
}

// fixed are peer_id beginnings that carry no readable version.
var fixed = [...]struct{ prefix, name string }{
	{prefix: "exbc", name: "BitComet"},
	{prefix: "FUTB", name: "BitComet"},
	{prefix: "Plus", name: "Plus!"},
	{prefix: "turbobt", name: "TurboBT"},
	{prefix: "btuga", name: "BTugaXP"},
	{prefix: "DansClient", name: "XanTorrent"},
}
