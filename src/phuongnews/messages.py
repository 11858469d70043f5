"""Everything phuongnews says to a person, in Vietnamese and English.

One entry per message code: (Vietnamese text, Vietnamese hint, English text, English hint).
Parameters are filled with str.format; a hint may be None.
"""

from __future__ import annotations

from dataclasses import dataclass

_MESSAGES: dict[str, tuple[str, str | None, str, str | None]] = {
    "hint.prefix": ("gợi ý:", None, "hint:", None),
    # Reading files
    "source.binary": (
        "tệp này không phải văn bản (có byte NUL)",
        "hãy kiểm tra đây có đúng là bài viết Markdown không; ảnh hoặc tệp Word không đặt đuôi .md",
        "this file is not text (it contains a NUL byte)",
        "check this really is a Markdown post; images and Word files must not be named .md",
    ),
    "source.utf16": (
        "tệp được lưu bằng bảng mã UTF-16, phuongnews chỉ đọc UTF-8",
        "mở tệp và lưu lại với bảng mã UTF-8 (trong Notepad: Lưu thành… → Mã hóa: UTF-8)",
        "the file is saved as UTF-16; phuongnews reads UTF-8 only",
        "open the file and save it again as UTF-8 (Notepad: Save as… → Encoding: UTF-8)",
    ),
    "source.not_utf8": (
        "tệp không phải bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3)",
        "mở tệp và lưu lại với bảng mã UTF-8; nếu chữ bị lỗi phông, chuyển mã bằng Unikey trước",
        "the file is not UTF-8 (perhaps Windows-1258 or TCVN3)",
        "open the file and save it again as UTF-8",
    ),
    "source.too_large": (
        "tệp quá lớn ({megabytes} MB) để là một bài viết",
        "ảnh và tệp đính kèm đặt trong static/, không dán vào bài",
        "the file is too large ({megabytes} MB) to be a post",
        "images and attachments belong in static/, not inside a post",
    ),
    "link.broken": (
        "liên kết '{href}' không dẫn tới trang hay tệp nào của trang web",
        "kiểm tra lại đường dẫn; ảnh và tệp đính kèm phải nằm trong thư mục static/",
        "the link '{href}' leads to no page or file of the site",
        "check the path; images and attachments belong in static/",
    ),
    "link.outside": (
        "liên kết '{href}' ra ngoài địa chỉ gốc của trang web",
        "liên kết trong trang viết từ gốc trang, ví dụ /don-vi/mttq/, hoặc ghi đủ https://…",
        "the link '{href}' leaves the site's base address",
        "write internal links from the site root, e.g. /don-vi/mttq/, or give a full https:// address",
    ),
    "html.removed_tag": (
        "cảnh báo: đã bỏ thẻ <{tag}> khỏi bài (trang tin không đăng mã chạy, biểu mẫu hay nội dung nhúng)",
        "phần chữ thường của bài vẫn được giữ; xóa thẻ này khỏi tệp để hết cảnh báo",
        "warning: removed the <{tag}> element (the site publishes no scripts, forms or embedded objects)",
        "the ordinary text is kept; delete the element from the file to silence this warning",
    ),
    "html.removed_handler": (
        "cảnh báo: đã bỏ thuộc tính {attribute} của thẻ <{tag}> (mã chạy trên trang không được phép)",
        "thường do dán từ trang web khác; xóa thuộc tính này khỏi tệp",
        "warning: removed the {attribute} attribute of <{tag}> (scripts are not allowed)",
        "usually pasted from another web page; delete the attribute from the file",
    ),
    "html.removed_url": (
        "cảnh báo: đã bỏ liên kết '{url}' của thẻ <{tag}>: chỉ dùng liên kết http, https, mailto hoặc tel",
        "liên kết javascript: hay data: không an toàn cho người đọc",
        "warning: removed the link '{url}' of <{tag}>: only http, https, mailto and tel links are allowed",
        "javascript: and data: links are unsafe for readers",
    ),
    "html.embed_none": (
        "cảnh báo: đã bỏ khung nhúng '{url}': site.yaml chưa cho phép nhúng từ trang nào",
        "để nhúng video, thêm tên máy chủ vào mục embeds của site.yaml, ví dụ: embeds: [www.youtube.com]",
        "warning: removed the embedded frame '{url}': site.yaml allows no embeds",
        "to embed videos, list the host under embeds in site.yaml, e.g. embeds: [www.youtube.com]",
    ),
    "html.embed_host": (
        "cảnh báo: khung nhúng '{url}' không thuộc các trang được phép nhúng ({hosts}), nên bị để trống",
        "nếu đây là trang tin cậy, thêm tên máy chủ vào mục embeds của site.yaml",
        "warning: the embedded frame '{url}' is not from an allowed host ({hosts}), so it is left empty",
        "if the host is trusted, add its name under embeds in site.yaml",
    ),
    "source.broken_link": (
        "tệp này là lối tắt (symlink) tới một tệp không còn nữa",
        "xóa lối tắt, hoặc chép bài vào đây thay cho lối tắt",
        "this file is a shortcut (symlink) to a file that no longer exists",
        "delete the shortcut, or copy the post here instead",
    ),
    "source.unreadable": ("không đọc được tệp: {reason}", None, "cannot read the file: {reason}", None),
    "source.no_permission": (
        "không có quyền đọc tệp này",
        "nhờ người quản trị máy cho phép đọc tệp, hoặc chép nội dung sang một tệp mới rồi xóa tệp cũ",
        "you are not allowed to read this file",
        "ask whoever manages the computer to allow reading it, or copy its content into a new file",
    ),
    "source.empty": (
        "tệp trống, không có nội dung",
        "xóa tệp nếu không dùng đến, hoặc mở tệp kiểm tra xem nội dung đã được lưu chưa",
        "the file is empty",
        "delete it if it is not needed, or open it and check that its content was saved",
    ),
    "source.outside_folder": (
        ("đây là lối tắt (liên kết) tới {target}, nằm ngoài thư mục {folder};"
        " phuongnews không đăng tệp ở nơi khác trên máy"),
        "chép hẳn tệp vào trong thư mục {folder} thay cho lối tắt",
        ("this is a shortcut (link) to {target}, outside the {folder} folder;"
        " phuongnews does not publish files from elsewhere on the computer"),
        "copy the file itself into {folder} instead of the shortcut",
    ),
    # Front-matter and YAML
    "frontmatter.missing": (
        "bài viết thiếu phần thông tin đầu bài (front-matter)",
        "dòng đầu tiên của tệp phải là ---, tiếp theo là title:, date:, units:, rồi một dòng --- nữa",
        "the post has no front-matter",
        "the first line must be ---, then title:, date:, units:, then another --- line",
    ),
    "frontmatter.leading_blank": (
        "có dòng trống trước dấu --- mở đầu",
        "xóa các dòng trống để --- là dòng đầu tiên của tệp",
        "there are blank lines before the opening ---",
        "delete them so that --- is the first line of the file",
    ),
    "frontmatter.unterminated": (
        "phần thông tin đầu bài mở bằng --- nhưng không có dòng --- đóng lại",
        "thêm một dòng chỉ có --- sau dòng thông tin cuối cùng, trước nội dung bài",
        "the front-matter opened with --- is never closed",
        "add a line with only --- after the last field, before the body",
    ),
    "frontmatter.empty": (
        "phần thông tin đầu bài trống",
        "cần ít nhất title:, date: và units:",
        "the front-matter is empty",
        "it needs at least title:, date: and units:",
    ),
    "yaml.syntax": (
        "lỗi cú pháp YAML: {problem}",
        "kiểm tra dấu hai chấm, dấu ngoặc kép và thụt lề ở dòng này hoặc dòng ngay trên",
        "YAML syntax error: {problem}",
        "check the colons, quotes and indentation on this line or the one above",
    ),
    "yaml.tab": (
        "dùng phím Tab để thụt lề; YAML chỉ chấp nhận dấu cách",
        "thay mỗi Tab bằng hai dấu cách",
        "indented with a Tab; YAML accepts spaces only",
        "replace each Tab with two spaces",
    ),
    "yaml.unclosed_quote": (
        "dấu ngoặc kép (\" hoặc ') mở ở dòng này nhưng không được đóng lại",
        "thêm dấu ngoặc đóng ở cuối giá trị, hoặc bỏ dấu ngoặc mở",
        "the quote (\" or ') opened on this line is never closed",
        "add the closing quote at the end of the value, or remove the opening one",
    ),
    "yaml.tag": (
        "không dùng thẻ YAML ({tag}) trong phuongnews",
        "bỏ phần bắt đầu bằng ! hoặc !! và viết giá trị bình thường",
        "YAML tags ({tag}) are not allowed",
        "remove the part starting with ! or !! and write the plain value",
    ),
    "yaml.alias": (
        "không dùng neo và bí danh YAML (& và *)",
        "viết lại đầy đủ giá trị thay vì tham chiếu",
        "YAML anchors and aliases (& and *) are not allowed",
        "write the value out in full",
    ),
    "yaml.complex_key": (
        "tên khóa phải là chữ đơn giản (không dùng <<, danh sách hay bảng làm khóa)",
        None,
        "keys must be plain words (no <<, lists or mappings as keys)",
        None,
    ),
    "yaml.duplicate_key": (
        "khóa '{key}' bị lặp lại (đã có ở dòng {first})",
        "xóa một trong hai dòng; phuongnews không tự chọn giúp",
        "the key '{key}' appears twice (first on line {first})",
        "delete one of them; phuongnews will not pick one for you",
    ),
    "yaml.too_deep": ("YAML lồng nhau quá sâu", None, "the YAML is nested too deeply", None),
    "yaml.too_large": ("YAML có quá nhiều phần tử", None, "the YAML has too many elements", None),
    # Types and keys
    "type.mapping": (
        "{what} phải là một bảng dạng khóa: giá trị",
        None,
        "{what} must be a mapping of key: value",
        None,
    ),
    "type.text": ("'{key}' phải là một đoạn chữ", None, "'{key}' must be text", None),
    "type.integer": ("'{key}' phải là một số nguyên", None, "'{key}' must be a whole number", None),
    "type.boolean": (
        "'{key}' phải là true hoặc false",
        None,
        "'{key}' must be true or false",
        None,
    ),
    "type.list": (
        "'{key}' phải là một danh sách",
        "mỗi mục viết trên một dòng bắt đầu bằng '- '",
        "'{key}' must be a list",
        "write each item on its own line starting with '- '",
    ),
    "range.integer": (
        "'{key}' = {value} nằm ngoài khoảng cho phép ({low}–{high})",
        None,
        "'{key}' = {value} is outside the allowed range ({low}–{high})",
        None,
    ),
    "key.unknown_guess": (
        "khóa '{key}' không có trong {what}",
        "có phải ý bạn là '{guess}'?",
        "unknown key '{key}' in {what}",
        "did you mean '{guess}'?",
    ),
    "key.unknown": (
        "khóa '{key}' không có trong {what}",
        "các khóa được dùng: {allowed}",
        "unknown key '{key}' in {what}",
        "allowed keys: {allowed}",
    ),
    "field.required": (
        "thiếu '{key}'",
        None,
        "'{key}' is missing",
        None,
    ),
    "field.empty": ("'{key}' không được để trống", None, "'{key}' must not be empty", None),
    # Dates
    "date.format": (
        "ngày '{value}' không đúng dạng",
        "viết ngày theo dạng năm-tháng-ngày, ví dụ 2023-01-04 hoặc 2023-01-04 16:04",
        "the date '{value}' is not in a known form",
        "write it as year-month-day, e.g. 2023-01-04 or 2023-01-04 16:04",
    ),
    "date.day_first": (
        "ngày '{value}' viết theo kiểu ngày/tháng/năm",
        "viết theo dạng năm-tháng-ngày: {iso}",
        "the date '{value}' is written day/month/year",
        "write it year-month-day: {iso}",
    ),
    "date.impossible": (
        "ngày '{value}' không có trên lịch",
        "kiểm tra lại ngày và tháng (tháng 2 chỉ có 28 hoặc 29 ngày)",
        "the date '{value}' does not exist",
        "check the day and the month",
    ),
    "date.impossible_time": (
        "giờ trong '{value}' không có thật",
        "giờ từ 00:00 đến 23:59, ví dụ 2023-01-04 16:04",
        "the time in '{value}' does not exist",
        "hours run from 00:00 to 23:59, e.g. 2023-01-04 16:04",
    ),
    "date.year_range": (
        "năm của ngày '{value}' nằm ngoài khoảng {low}–{high}",
        "có thể gõ nhầm năm",
        "the year of '{value}' is outside {low}–{high}",
        "the year is probably mistyped",
    ),
    # Units, speakers, tasks, slugs
    "units.required": (
        "bài viết phải thuộc ít nhất một đơn vị (units)",
        "ví dụ units: [mttq]; các đơn vị: {known}",
        "the post must belong to at least one unit (units)",
        "e.g. units: [mttq]; known units: {known}",
    ),
    "units.unknown_guess": (
        "không có đơn vị '{value}' trong site.yaml",
        "có phải ý bạn là '{guess}'? Các đơn vị: {known}",
        "there is no unit '{value}' in site.yaml",
        "did you mean '{guess}'? Known units: {known}",
    ),
    "units.unknown": (
        "không có đơn vị '{value}' trong site.yaml",
        "các đơn vị: {known}; đơn vị mới thì thêm vào mục units của site.yaml",
        "there is no unit '{value}' in site.yaml",
        "known units: {known}; add a new one under units in site.yaml",
    ),
    "speakers.not_mapping": (
        "mỗi người phát biểu cần có name: (và role:, note: nếu có)",
        "ví dụ:\n      - name: Hồ Sỹ Tùng\n        role: Bí thư Đảng ủy phường",
        "each speaker needs name: (and role:, note: if any)",
        "e.g.\n      - name: Hồ Sỹ Tùng\n        role: Bí thư Đảng ủy phường",
    ),
    "tasks.not_mapping": (
        "mỗi danh sách nhiệm vụ cần year:, title: và items:",
        None,
        "each task list needs year:, title: and items:",
        None,
    ),
    "tasks.no_items": (
        "danh sách nhiệm vụ không có mục nào (items)",
        None,
        "the task list has no items",
        None,
    ),
    "tasks.unit_not_in_post": (
        "danh sách nhiệm vụ thuộc đơn vị '{unit}' nhưng bài không ghi đơn vị này trong units",
        "thêm '{unit}' vào units của bài",
        "the task list belongs to '{unit}', which is not among the post's units",
        "add '{unit}' to the post's units",
    ),
    "slug.invalid": (
        "slug '{value}' chỉ được có chữ thường không dấu, số và dấu gạch ngang",
        "ví dụ: {suggestion}",
        "the slug '{value}' may only hold lowercase ASCII letters, digits and hyphens",
        "e.g. {suggestion}",
    ),
    "slug.from_filename": (
        "không tạo được địa chỉ bài từ tên tệp '{name}'",
        "đổi tên tệp cho có chữ hoặc số, hoặc ghi slug: trong bài",
        "cannot make a URL from the file name '{name}'",
        "rename the file or set slug: in the post",
    ),
    "speakers.id": (
        "id '{value}' của người phát biểu chỉ được có chữ thường không dấu, số và dấu gạch ngang",
        "id dùng để phân biệt hai người trùng tên, ví dụ: {suggestion}",
        "the speaker id '{value}' may only hold lowercase ASCII letters, digits and hyphens",
        "an id tells apart two people with the same name, e.g. {suggestion}",
    ),
    "alias.invalid": (
        "địa chỉ cũ '{value}' phải là đường dẫn trong trang, bắt đầu bằng /",
        "ví dụ: /index.php/vi/news/tin-tuc/hoi-nghi-123.html (không ghi tên miền, không có ?…)",
        "the old address '{value}' must be a path on this site, starting with /",
        "e.g. /index.php/vi/news/tin-tuc/hoi-nghi-123.html (no domain name, no ?…)",
    ),
    "expires.before_published": (
        "ngày hết hạn (expires) phải sau ngày đăng",
        "bỏ dòng expires nếu bài không hết hạn",
        "the expiry date (expires) must come after the posting date",
        "remove the expires line if the post does not expire",
    ),
    "cover.invalid": (
        "ảnh bìa '{value}' phải là đường dẫn tới tệp trong static/",
        None,
        "the cover '{value}' must be a path to a file in static/",
        None,
    ),
    "cover.missing": (
        "không thấy ảnh bìa '{value}' trong thư mục static/",
        None,
        "the cover image '{value}' is not in static/",
        None,
    ),
    # Site configuration
    "config.missing": (
        "không thấy site.yaml trong thư mục {folder}",
        "chạy lệnh trong thư mục của trang, hoặc thêm --site THƯ_MỤC",
        "no site.yaml in {folder}",
        "run the command in the site's folder, or pass --site DIR",
    ),
    "config.base_url": (
        "base_url '{value}' phải là địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://",
        "ví dụ: https://phuong.example.gov.vn/ hoặc https://tinh.gov.vn/phuong-quynh-thien/",
        "base_url '{value}' must be a full http:// or https:// address",
        "e.g. https://ward.example.gov.vn/ or https://province.gov.vn/ward/",
    ),
    "config.language": (
        "language '{value}' không hỗ trợ; dùng một trong: {allowed}",
        None,
        "language '{value}' is not supported; use one of: {allowed}",
        None,
    ),
    "config.timezone": (
        "không biết múi giờ '{value}'",
        "với Việt Nam dùng Asia/Ho_Chi_Minh",
        "unknown time zone '{value}'",
        "for Vietnam use Asia/Ho_Chi_Minh",
    ),
    "config.embed_host": (
        "'{value}' không phải tên máy chủ",
        "chỉ ghi tên máy chủ, không có https:// hay đường dẫn, ví dụ www.youtube.com",
        "'{value}' is not a host name",
        "write the host name only, without https:// or a path, e.g. www.youtube.com",
    ),
    "config.units_empty": (
        "site.yaml cần mục units liệt kê ít nhất một đơn vị",
        None,
        "site.yaml needs a units section with at least one unit",
        None,
    ),
    "config.unit_key": (
        "khóa đơn vị '{key}' chỉ được có chữ thường không dấu, số và dấu gạch ngang",
        "ví dụ: mttq, doan-tn, hoi-ccb",
        "the unit key '{key}' may only hold lowercase ASCII letters, digits and hyphens",
        "e.g. mttq, doan-tn, hoi-ccb",
    ),
    "config.unit_name_clash": (
        "tên '{label}' của đơn vị '{key}' trùng với đơn vị '{other}'",
        "mỗi tên gọi, tên tắt hay bí danh chỉ được thuộc một đơn vị",
        "the name '{label}' of unit '{key}' is also used by unit '{other}'",
        "each name, short name or alias may belong to one unit only",
    ),
    "config.url_pattern": (
        "mẫu địa chỉ urls.{key} = '{value}' không dùng được",
        "cần có {needed}, không bắt đầu bằng /, không chứa .. và kết thúc bằng / (trang danh sách) hoặc .html",
        "the URL pattern urls.{key} = '{value}' cannot be used",
        "it needs {needed}, must not start with / or contain .., and must end with / (listings) or .html",
    ),
    # Templates
    "template.folder_missing": (
        "không thấy thư mục templates/",
        "chép thư mục templates/ từ trang mẫu của phuongnews",
        "the templates/ folder is missing",
        "copy templates/ from the phuongnews example site",
    ),
    "template.missing": ("không thấy mẫu trang '{name}'", None, "the template '{name}' is missing", None),
    "template.syntax": ("lỗi cú pháp trong mẫu trang: {problem}", None, "template syntax error: {problem}", None),
    "template.undefined": (
        "mẫu trang dùng giá trị không có: {problem}",
        "kiểm tra tên biến; xem danh sách biến trong README, mục Mẫu trang",
        "the template uses a value that does not exist: {problem}",
        "check the variable name; the README lists them under Templates",
    ),
    "template.runtime": ("lỗi khi dựng mẫu trang: {problem}", None, "error while rendering the template: {problem}", None),
    # Output
    "output.collision": (
        "hai nội dung cùng ghi vào {url} (cùng với {other})",
        "đổi tên một trong hai tệp, hoặc thêm dòng slug: với tên khác vào một trong hai bài",
        "two things would write {url} (this and {other})",
        "rename one of the two files, or add a slug: line with another name to one of them",
    ),
    "output.contains_site": (
        "không dựng vào {folder}: thư mục này chứa trang nguồn hoặc là thư mục nhà",
        "chọn một thư mục riêng, ví dụ --out public",
        "refusing to build into {folder}: it holds the site's sources or is the home folder",
        "choose a folder of its own, e.g. --out public",
    ),
    "output.inside_sources": (
        "không dựng vào {folder}: thư mục này nằm trong content/, templates/ hoặc static/",
        "chọn một thư mục riêng, ví dụ --out public",
        "refusing to build into {folder}: it is inside content/, templates/ or static/",
        "choose a folder of its own, e.g. --out public",
    ),
    "output.not_folder": (
        "không dựng vào {folder}: đó là một tệp, không phải thư mục",
        None,
        "refusing to build into {folder}: it is a file, not a folder",
        None,
    ),
    "output.not_ours": (
        "không dựng vào {folder}: thư mục đã có tệp mà phuongnews không tạo ra",
        "phuongnews thay toàn bộ thư mục đầu ra mỗi lần dựng; chọn thư mục trống hoặc thư mục mới",
        "refusing to build into {folder}: it holds files phuongnews did not create",
        "each build replaces the whole output folder; choose an empty or new folder",
    ),
    "os.error": (
        "không ghi được {path}: {reason}. Trang cũ vẫn giữ nguyên.",
        None,
        "cannot write {path}: {reason}. The previous site is untouched.",
        None,
    ),
    "os.disk_full": (
        "không ghi được {path}: ổ đĩa đã đầy. Trang cũ vẫn giữ nguyên.",
        "xóa bớt tệp không cần trên ổ đĩa, hoặc chọn thư mục đầu ra ở ổ khác bằng --out, rồi dựng lại",
        "cannot write {path}: the disk is full. The previous site is untouched.",
        "free some space on the disk, or choose an output folder on another disk with --out, then build again",
    ),
    "os.no_permission": (
        "không có quyền đọc hoặc ghi {path}. Trang cũ vẫn giữ nguyên.",
        "chọn thư mục đầu ra khác bằng --out, hoặc nhờ người quản trị máy cấp quyền cho thư mục này",
        "you are not allowed to read or write {path}. The previous site is untouched.",
        "choose another output folder with --out, or ask whoever manages the computer for access",
    ),
    # `new`
    "new.exists": (
        "đã có tệp này; phuongnews không ghi đè",
        "đổi tiêu đề hoặc mở tệp đó để sửa",
        "this file already exists; phuongnews does not overwrite it",
        "choose another title or edit that file",
    ),
    "new.empty_title": ("tiêu đề cần có chữ hoặc số", None, "the title needs letters or digits", None),
    # Summaries
    "summary.next_change": (
        "Có bài hẹn giờ đăng hoặc hết hạn: lần dựng lại tiếp theo sẽ thay đổi trang lúc {when}.",
        None,
        "A scheduled or expiring post changes the site at {when}: rebuild then.",
        None,
    ),
    "summary.build": (
        "Đã dựng {posts} bài viết thành {pages} trang ({files} tệp) vào {out} trong {seconds}.",
        None,
        "Built {posts} posts into {pages} pages ({files} files) in {out} in {seconds}.",
        None,
    ),
    "summary.changes": (
        "Tệp thay đổi: ghi {written}, xóa {removed}; {kept} tệp giữ nguyên (dựng lại {rendered} trang).",
        None,
        "Changed files: {written} written, {removed} removed; {kept} left as they were ({rendered} pages rendered).",
        None,
    ),
    "verify.same": (
        "Kiểm chứng: giống hệt từng byte bản dựng từ đầu không dùng bộ nhớ đệm ({files} tệp).",
        None,
        "Verified: byte for byte the same as a clean build without the cache ({files} files).",
        None,
    ),
    "cache.changed": (
        "bộ nhớ đệm của trang đã bị một lần dựng khác thay đổi trong lúc dựng; chưa ghi gì vào thư mục xuất.",
        "chạy lại lệnh dựng (có lẽ hai lần dựng trang này đã chạy cùng lúc)",
        "the site's build cache was changed by another build meanwhile; nothing was written to the output folder.",
        "run the build again (two builds of this site probably ran at once)",
    ),
    "verify.differs": (
        "tệp này khác với bản dựng từ đầu không dùng bộ nhớ đệm ({how}).",
        "xóa thư mục .phuongnews-cache của trang rồi dựng lại; xin báo lỗi này cho nhóm phát triển phuongnews",
        "this file differs from a clean build without the cache ({how}).",
        "delete the site's .phuongnews-cache folder and build again; please report this to the phuongnews developers",
    ),
    "summary.check": (
        "Không có lỗi: {posts} bài viết, {pages} trang ({seconds}).",
        None,
        "No errors: {posts} posts, {pages} pages ({seconds}).",
        None,
    ),
    "summary.failed": (
        "Có {count} lỗi trong {files} tệp. Chưa ghi gì: trang đã dựng trước đó vẫn giữ nguyên.",
        None,
        "{count} error(s) in {files} file(s). Nothing was written: the previous site is untouched.",
        None,
    ),
    "summary.new": (
        "Đã tạo {path}. Mở tệp để viết bài, rồi chạy: phuongnews build",
        None,
        "Created {path}. Open it to write the post, then run: phuongnews build",
        None,
    ),
    # The preview server (phuongnews serve)
    "serve.listening": (
        "Bản xem trước đang chạy tại {url}\nLưu tệp là trang tự tải lại. Nhấn Ctrl-C để dừng.",
        None,
        "Preview running at {url}\nSave a file and the page reloads by itself. Press Ctrl-C to stop.",
        None,
    ),
    "serve.built": (
        "Đã dựng {posts} bài viết thành {pages} trang trong {seconds} (giữ trong bộ nhớ, không ghi ra đĩa).",
        None,
        "Built {posts} posts into {pages} pages in {seconds} (kept in memory, nothing written to disk).",
        None,
    ),
    "serve.rebuilt": (
        "Đã dựng lại sau khi lưu: {pages} trang thay đổi ({seconds}).",
        None,
        "Rebuilt after a save: {pages} page(s) changed ({seconds}).",
        None,
    ),
    "serve.failed": (
        "Có {count} lỗi trong {files} tệp. Trình duyệt vẫn hiện bản dựng tốt gần nhất, kèm thông báo lỗi.",
        "sửa tệp và lưu lại: trang tự cập nhật, không cần khởi động lại",
        "{count} error(s) in {files} file(s). The browser keeps showing the last good build, with the errors over it.",
        "fix the file and save it: the page updates by itself, no restart needed",
    ),
    "serve.stopped": ("Đã dừng bản xem trước.", None, "Preview stopped.", None),
    "serve.port_in_use": (
        "cổng {port} trên {host} đang được dùng (có thể một bản xem trước khác đang chạy)",
        "chọn cổng khác, ví dụ: phuongnews serve --port {other}",
        "port {port} on {host} is already in use (perhaps by another preview)",
        "choose another port, e.g. phuongnews serve --port {other}",
    ),
    "serve.open_to_network": (
        "cảnh báo: bản xem trước mở cho mọi máy trong mạng tới được {host}, kể cả bài nháp nếu có --drafts",
        "chỉ dùng trong mạng tin cậy; bỏ --host để chỉ máy này xem được",
        "warning: the preview is open to every machine that can reach {host}, drafts included with --drafts",
        "use this on a trusted network only; leave out --host so only this machine can see it",
    ),
    "serve.internal": (
        "lỗi không mong đợi khi dựng trang: {problem}",
        "bản dựng tốt gần nhất vẫn được giữ; hãy báo lỗi này cho người phụ trách kỹ thuật",
        "unexpected error while building: {problem}",
        "the last good build is kept; please report this to whoever maintains the site",
    ),
    "serve.overlay_title": (
        "Chưa dựng lại được trang: {count} lỗi",
        None,
        "The site could not be rebuilt: {count} error(s)",
        None,
    ),
    "serve.overlay_note": (
        "Trang bên dưới là bản dựng tốt gần nhất. Sửa tệp và lưu lại, thông báo này sẽ tự biến mất.",
        None,
        "The page below is the last good build. Fix the file and save it; this notice goes away by itself.",
        None,
    ),
    "serve.overlay_close": ("Đóng", None, "Close", None),
    "serve.not_built": (
        "Trang chưa dựng được lần nào",
        None,
        "The site has not been built yet",
        None,
    ),
    "serve.bad_path": (
        "Đường dẫn không hợp lệ.",
        None,
        "Invalid path.",
        None,
    ),
    "serve.wrong_host": (
        "Bản xem trước chỉ trả lời địa chỉ của chính máy này (localhost, 127.0.0.1).",
        None,
        "The preview answers only this machine's own address (localhost, 127.0.0.1).",
        None,
    ),
    # `import`
    "import.written": ("đã ghi {path}", None, "wrote {path}", None),
    "import.dry_run": ("(chạy thử) sẽ ghi {path}", None, "(dry run) would write {path}", None),
    "import.duplicate": (
        "bài này đã được nhập trước đó ({path}); bỏ qua, không ghi đè",
        None,
        "this article was imported before ({path}); skipped, nothing overwritten",
        None,
    ),
    "import.exists": (
        "đã có tệp {path}; phuongnews không ghi đè",
        None,
        "{path} already exists; phuongnews does not overwrite it",
        None,
    ),
    "import.skipped": ("không ghi bài này", None, "this article was not written", None),
    "import.invalid": (
        "bài nhập ra chưa qua được kiểm tra nên không ghi: {error}",
        "sửa bài gốc hoặc tạo bài bằng phuongnews new rồi dán nội dung vào",
        "the imported post does not pass the check, so it was not written: {error_en}",
        "fix the original or start the post with phuongnews new and paste the text in",
    ),
    "import.no_title": (
        "không tìm thấy tiêu đề bài; bỏ qua",
        "dòng đầu tiên có chữ của tệp phải là tiêu đề bài",
        "no title found; skipped",
        "the first line with text must be the article's title",
    ),
    "import.no_date_skipped": (
        "không tìm thấy ngày diễn ra sự kiện, cũng không có ngày đăng; bỏ qua",
        "thêm một câu như “Sáng ngày 22/12/2023, …” vào bài gốc rồi nhập lại, hoặc tạo bài bằng phuongnews new",
        "no event date and no posting date found; skipped",
        "add a phrase such as “Sáng ngày 22/12/2023, …” to the original and import again, or use phuongnews new",
    ),
    "import.no_date_draft": (
        "không tìm thấy ngày diễn ra sự kiện; bài được ghi dạng nháp (draft: true), date tạm lấy ngày đăng {date}",
        "mở bài, sửa date cho đúng ngày sự kiện rồi xóa dòng draft: true",
        "no event date found; the post is written as a draft (draft: true) with the posting date {date} as date",
        "open the post, set date to the event's day, then delete the draft: true line",
    ),
    "import.year_from_published": (
        "“{phrase}” không ghi năm: lấy năm {year} theo ngày đăng",
        "kiểm tra lại date trong bài",
        "“{phrase}” gives no year: {year} taken from the posting date",
        "check the post's date",
    ),
    "import.year_from_title": (
        "“{phrase}” không ghi năm: lấy năm {year} theo tiêu đề",
        "kiểm tra lại date trong bài",
        "“{phrase}” gives no year: {year} taken from the title",
        "check the post's date",
    ),
    "import.no_units": (
        "không nhận ra đơn vị nào của xã, phường trong tiêu đề hay đoạn mở đầu; bỏ qua",
        "nhập lại với --unit KHÓA (có: {known}), hoặc thêm tên gọi khác vào aliases của đơn vị trong site.yaml",
        "none of the commune's units is named in the title or the opening; skipped",
        "import again with --unit KEY (known: {known}), or add the name to the unit's aliases in site.yaml",
    ),
    "import.units_grouped": (
        "“các đoàn thể” được hiểu là: {units}",
        "bỏ bớt trong units nếu bài không nói về đơn vị đó",
        "“các đoàn thể” (the mass organisations) read as: {units}",
        "remove any of them from units if the post is not about it",
    ),
    "import.missing": ("không tìm thấy: {fields}", None, "not found: {fields}", None),
    "import.spam": (
        (
            "cảnh báo: bài có chữ quảng cáo cờ bạc chèn vào ({words}) — cổng cũ có thể đã bị tấn công; "
            "đã bỏ các chữ đó và ghi bài dạng nháp (draft: true)"
        ),
        "đọc lại toàn bài, rồi mới xóa dòng draft: true",
        (
            "warning: gambling spam inside the article ({words}) — the old portal may have been hacked; "
            "those words were removed and the post is a draft (draft: true)"
        ),
        "read the whole post before deleting the draft: true line",
    ),
    "import.not_published": (
        "bài chưa đăng trên cổng cũ (status {status}); ghi dạng nháp",
        None,
        "the article was not published on the old portal (status {status}); written as a draft",
        None,
    ),
    "import.alias_query": (
        "địa chỉ cũ {url} có phần ?… nên không giữ được làm địa chỉ chuyển hướng (aliases)",
        "trang tĩnh không phân biệt được các địa chỉ chỉ khác nhau phần sau dấu ?",
        "the old address {url} has a ?query, so it cannot be kept as a redirect (aliases)",
        "a static site cannot tell apart addresses that differ only after the ?",
    ),
    "import.alias_invalid": (
        "địa chỉ cũ {url} không dùng được làm địa chỉ chuyển hướng; bỏ qua",
        None,
        "the old address {url} cannot be a redirect; left out",
        None,
    ),
    "import.legacy_font": (
        "văn bản gõ bằng bảng mã phông cũ {encoding}, không phải Unicode; không nhập để tránh chữ lỗi",
        "chuyển mã bằng Unikey (Công cụ chuyển mã: nguồn {encoding}, đích Unicode), lưu UTF-8 rồi nhập lại",
        "the text uses the legacy {encoding} font encoding, not Unicode; not imported, it would come out garbled",
        "convert it with Unikey (source {encoding}, destination Unicode), save as UTF-8 and import again",
    ),
    "import.decoded_as": ("đọc theo bảng mã {encoding}", None, "read as {encoding}", None),
    "import.binary": (
        "tệp không phải văn bản",
        "nhập được tệp .txt, trang .html đã lưu, tệp RSS/Atom hoặc tệp .sql sao lưu của NukeViet",
        "the file is not text",
        "import reads .txt, saved .html pages, RSS/Atom feeds and NukeViet .sql dumps",
    ),
    "import.empty": ("tệp trống", None, "the file is empty", None),
    "import.too_large": ("tệp quá lớn để nhập (hơn 200 MB)", None, "the file is too large to import (over 200 MB)", None),
    "import.bad_feed": (
        "tệp RSS/Atom hỏng, không đọc được",
        None,
        "the RSS/Atom file is malformed and cannot be read",
        None,
    ),
    "import.no_articles": (
        "không tìm thấy bài nào trong tệp",
        "tệp .sql phải có bảng …_news_rows của NukeViet; tệp RSS phải có thẻ <item>",
        "no articles found in the file",
        "a .sql dump needs NukeViet's …_news_rows table; an RSS file needs <item> elements",
    ),
    "summary.import": (
        "Đã nhập {written} bài; bỏ qua {duplicates} bài đã có, {skipped} bài không ghi được.",
        None,
        "Imported {written} posts; {duplicates} already there, {skipped} could not be written.",
        None,
    ),
    "summary.import_dry": (
        "Chạy thử: sẽ ghi {written} bài; {duplicates} bài đã có, {skipped} bài không ghi được. Chưa ghi gì.",
        None,
        "Dry run: would write {written} posts; {duplicates} already there, {skipped} could not be written. Nothing written.",
        None,
    ),
    # Photos (images.py)
    "image.missing": (
        "không thấy ảnh '{src}' (đã tìm: {looked})",
        "đặt ảnh cạnh bài viết và ghi tên tệp, ví dụ ![Quang cảnh hội nghị](anh-hoi-nghi.jpg); tên tệp phân biệt chữ hoa, chữ thường",
        "the image '{src}' is not there (looked for: {looked})",
        "put the photo next to the post and write its file name, e.g. ![The meeting](meeting.jpg); names are case-sensitive",
    ),
    "image.outside": (
        "ảnh '{src}' nằm ngoài thư mục content/ và static/ của trang",
        "chép ảnh vào thư mục của bài viết",
        "the image '{src}' is outside the site's content/ and static/ folders",
        "copy the photo into the post's folder",
    ),
    "image.not_image": (
        "tệp '{src}' không phải là ảnh (hoặc bị hỏng)",
        "dùng ảnh JPEG, PNG, WebP hoặc GIF; mở tệp trên máy để kiểm tra",
        "the file '{src}' is not an image (or is damaged)",
        "use a JPEG, PNG, WebP or GIF photo; open the file to check it",
    ),
    "image.too_large": (
        "ảnh '{src}' quá lớn ({megabytes} MB, tối đa 25 MB)",
        "lưu một bản nhỏ hơn của ảnh; phuongnews tự làm nhẹ ảnh khi đăng",
        "the image '{src}' is too large ({megabytes} MB, at most 25 MB)",
        "save a smaller copy of the photo; phuongnews makes published photos light by itself",
    ),
    "image.too_many_pixels": (
        "ảnh '{src}' có quá nhiều điểm ảnh ({width} × {height})",
        "thu nhỏ ảnh còn dưới 10 000 điểm mỗi chiều",
        "the image '{src}' has too many pixels ({width} × {height})",
        "scale the image down below 10,000 pixels a side",
    ),
    "image.broken": (
        "không đọc được nội dung ảnh '{src}' (tệp bị hỏng hoặc chép chưa xong)",
        "chép lại ảnh từ điện thoại hoặc Zalo",
        "cannot decode the image '{src}' (the file is damaged or was not copied completely)",
        "copy the photo again from the phone",
    ),
    "config.photo_originals": (
        "photos.originals phải là true hoặc false, không phải '{value}'",
        "true: đăng cả ảnh gốc cỡ đầy đủ (đã xóa EXIF và vị trí GPS); false hoặc bỏ đi: chỉ đăng các bản thu nhỏ",
        "photos.originals must be true or false, not '{value}'",
        "true: also publish each photo's full-size original (EXIF and GPS position removed); false or left out: only the resized copies",
    ),
    "image.no_alt": (
        "cảnh báo: ảnh '{src}' chưa có lời mô tả cho người khiếm thị",
        "viết mô tả trong ngoặc vuông: ![Quang cảnh hội nghị](ten-anh.jpg)",
        "warning: the image '{src}' has no text for blind readers (alt text)",
        "describe it inside the brackets: ![The meeting hall](photo.jpg)",
    ),
}


@dataclass(frozen=True)
class Phrase:
    """A message parameter that is itself words, so it is translated with the message."""

    code: str


_PHRASES = {
    "post": ("phần đầu bài viết", "the post's front-matter"),
    "page": ("phần đầu trang", "the page's front-matter"),
    "verify.only_built": ("chỉ có trong bản dựng", "only in the build"),
    "verify.only_clean": ("chỉ có trong bản dựng từ đầu", "only in the clean build"),
    "verify.bytes": ("nội dung khác", "different bytes"),
}


def message_text(code: str, lang: str, params: dict) -> tuple[str, str | None]:
    vi_text, vi_hint, en_text, en_hint = _MESSAGES[code]
    text, hint = (en_text, en_hint) if lang == "en" else (vi_text, vi_hint)
    params = {
        key: _PHRASES[value.code][lang == "en"] if isinstance(value, Phrase) else value
        for key, value in params.items()
    }
    return text.format(**params), hint.format(**params) if hint else None


def seconds_text(seconds: float, lang: str) -> str:
    """Vietnamese writes a decimal comma: 0,31 giây."""
    return f"{seconds:.2f} s" if lang == "en" else f"{seconds:.2f} giây".replace(".", ",")


def codes() -> frozenset[str]:
    return frozenset(_MESSAGES)
